import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectConformantFhir, expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { FHIR_JSON, startService, uploadRadiograph, type TestService } from './support/service';

const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';

interface Received {
  readonly bundle: fhir4.Bundle;
  readonly signature?: string;
  readonly raw: string;
  readonly auth?: string;
}

function statusOf(bundle: fhir4.Bundle): Record<string, unknown> {
  const parameters = bundle.entry?.[0]?.resource as fhir4.Parameters;
  const value = (name: string): unknown => {
    const p = parameters.parameter?.find((x) => x.name === name);
    return p?.valueCode ?? p?.valueString;
  };
  const events = (parameters.parameter ?? []).filter((p) => p.name === 'notification-event').map((p) => ({
    eventNumber: p.part?.find((x) => x.name === 'event-number')?.valueString,
    focus: p.part?.find((x) => x.name === 'focus')?.valueReference?.reference,
  }));
  return { type: value('type'), status: value('status'), eventsSinceStart: value('events-since-subscription-start'), events };
}

/** Subscriptions R5 Backport on R4: rest-hook to a real HTTP endpoint, handshake, events, heartbeat, $status. */
describe('FHIR Subscriptions (R5 Backport)', () => {
  let service: TestService;
  let hook: Server;
  let hookBase: string;
  const received: Received[] = [];
  let failNext = 0;

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          return void res.writeHead(503).end();
        }
        received.push({ bundle: JSON.parse(raw) as fhir4.Bundle, raw, signature: req.headers['x-brixia-signature'] as string | undefined, auth: req.headers.authorization });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
    hookBase = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks`;
    service = await startService({
      DATABASE_URL: await createTestDatabase('brixia_subscriptions'),
      BRIXIA_EHR_SUBSCRIBER_BASE_URLS: hookBase,
      BRIXIA_OUTBOX_POLL_MS: '100',
      BRIXIA_EHR_NOTIFY_BASE_DELAY_S: '0.2',
      BRIXIA_EHR_NOTIFY_MAX_DELAY_S: '1',
    });
  });

  afterAll(async () => {
    await service?.close();
    hook?.closeAllConnections();
    await new Promise((resolve) => hook?.close(resolve));
  });

  const topic = (): string => `${service.runtime.config.fhir.canonicalBase}/SubscriptionTopic/brixia-result`;
  const subscription = (patient: string, endpoint = `${hookBase}/a`): fhir4.Subscription => ({
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'Brixia results of one patient',
    criteria: topic(),
    _criteria: { extension: [{ url: `${BACKPORT}/backport-filter-criteria`, valueString: `Observation?patient=Patient/${patient}` }] },
    extension: [{ url: `${service.runtime.config.fhir.canonicalBase}/StructureDefinition/subscription-hmac-secret`, valueString: 's3cret' }],
    channel: {
      type: 'rest-hook',
      endpoint,
      payload: 'application/fhir+json',
      header: ['Authorization: Bearer hook-token'],
      _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'full-resource' }] },
      extension: [{ url: `${BACKPORT}/backport-heartbeat-period`, valueUnsignedInt: 2 }],
    } as fhir4.SubscriptionChannel,
  });
  /** Polls `check`; the 60 s bound is ≥ 20× what the deliveries take on the 2 cores under load. */
  const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const upload = async (patient: string, seed: number): Promise<fhir4.Observation> => {
    const response = await uploadRadiograph(service, { patient, acquired: '2024-05-01T10:00:00Z', seed, width: 320, height: 320 });
    return response.body as fhir4.Observation;
  };

  it('handshakes, notifies each new result once with event numbers and a valid HMAC, retries, heartbeats and reports $status', async () => {
    const created = await service.http.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(subscription('sub-p1')).expect(201);
    const id = created.body.id as string;
    expect(created.body.status).toBe('requested');
    expect(JSON.stringify(created.body)).not.toContain('s3cret');
    await until('handshake', () => received.some((r) => statusOf(r.bundle).type === 'handshake'));
    const handshake = received.find((r) => statusOf(r.bundle).type === 'handshake') as Received;
    expect(handshake.bundle.type).toBe('history');
    expect(handshake.auth).toBe('Bearer hook-token');
    expectConformantFhir(handshake.bundle, 'handshake notification');
    // The subscription turns active once the handshake's answer is recorded, just after the hook received it.
    await until('status active', async () => (await service.http.get(`/fhir/Subscription/${id}`).expect(200)).body.status === 'active');

    const first = await upload('sub-p1', 11);
    await upload('other-patient', 12);
    failNext = 2;
    const second = await upload('sub-p1', 13);
    const events = (): Received[] => received.filter((r) => statusOf(r.bundle).type === 'event-notification');
    await until('two events', () => events().length >= 2);
    const [one, two] = events();
    expect(statusOf(one.bundle).events).toEqual([{ eventNumber: '1', focus: `${service.runtime.config.fhir.baseUrl}/Observation/${first.id}` }]);
    expect(statusOf(two.bundle).events).toEqual([{ eventNumber: '2', focus: `${service.runtime.config.fhir.baseUrl}/Observation/${second.id}` }]);
    expect((one.bundle.entry?.[1]?.resource as fhir4.Observation).id).toBe(first.id);
    expect(one.signature).toBe(`sha256=${createHmac('sha256', 's3cret').update(one.raw).digest('hex')}`);
    expectConformantFhir(one.bundle, 'event notification');

    // An updated result (a clinician's review) is announced on the same topic.
    const review = await service.http
      .post('/graphql')
      .send({ query: 'mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }', variables: { input: { observationId: first.id, action: 'CONFIRM', practitionerId: 'dr-rossi' } } })
      .expect(200);
    expect(review.body.data.reviewAssessment.status).toBe('final');
    await until('update event', () => events().length >= 3);
    expect(statusOf(events()[2].bundle).events).toEqual([{ eventNumber: '3', focus: `${service.runtime.config.fhir.baseUrl}/Observation/${first.id}` }]);
    expect((events()[2].bundle.entry?.[1]?.resource as fhir4.Observation).status).toBe('final');

    await until('heartbeat', () => received.some((r) => statusOf(r.bundle).type === 'heartbeat'));
    expect(events()).toHaveLength(3);
    const status = await service.http.get(`/fhir/Subscription/${id}/$status`).expect(200);
    expect(status.body.type).toBe('searchset');
    expect(statusOf(status.body)).toMatchObject({ type: 'query-status', status: 'active', eventsSinceStart: '3' });

    await service.http.delete(`/fhir/Subscription/${id}`).expect(204);
    await service.http.get(`/fhir/Subscription/${id}`).expect(404);
    // PostgreSQL rejects NUL in text parameters: these used to answer 500.
    await service.http.get('/fhir/Subscription/a%00').expect(404);
    await service.http.get('/fhir/Subscription/a%00/$status').expect(404);
    await service.http.delete('/fhir/Subscription/a%00').expect(404);
  });

  it('refuses an endpoint outside the allow-list and a foreign topic with OperationOutcomes', async () => {
    const foreign = await service.http.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(subscription('x', 'http://169.254.169.254/hook')).expect(400);
    expect(foreign.body.issue[0].details.text).toBe('UPSTREAM.NOT_ALLOWED');
    const badTopic = await service.http.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send({ ...subscription('x'), criteria: 'Observation?code=x' }).expect(400);
    expect(badTopic.body.issue[0].expression).toEqual(['Subscription.criteria']);
  });
  it('serves Subscriptions without empty arrays, searchable by _id and status, with a type-level $status and a discoverable topic', async () => {
    const { extension: _secret, ...withoutSecret } = subscription('sub-search');
    const created = await service.http.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(withoutSecret).expect(201);
    expect(created.body.extension).toBeUndefined();
    const read = await service.http.get(`/fhir/Subscription/${created.body.id}`).expect(200);
    expect(JSON.stringify(read.body)).not.toContain('[]');
    const found = await service.http.get('/fhir/Subscription').query({ _id: created.body.id }).set('Prefer', 'handling=strict').expect(200);
    await expectValidR4(found.body);
    expect(found.body.total).toBe(1);
    // The handshake turns it active at its own pace: search by status once it has.
    await until('status active', async () => (await service.http.get(`/fhir/Subscription/${created.body.id}`).expect(200)).body.status === 'active');
    const byStatus = await service.http.get('/fhir/Subscription').query({ status: 'active', _id: created.body.id }).expect(200);
    expect(byStatus.body.total).toBe(1);
    expect((await service.http.get('/fhir/Subscription').query({ status: 'off', _id: created.body.id }).expect(200)).body.total).toBe(0);
    const statuses = await service.http.get('/fhir/Subscription/$status').query({ id: created.body.id }).expect(200);
    await expectValidR4(statuses.body);
    expect(statuses.body.entry).toHaveLength(1);
    expect(statusOf(statuses.body).type).toBe('query-status');
    const metadata = (await service.http.get('/fhir/metadata').expect(200)).body as fhir4.CapabilityStatement;
    const entry = metadata.rest?.[0].resource?.find((r) => r.type === 'Subscription');
    expect(entry?.extension?.find((e) => e.url.endsWith('capabilitystatement-subscriptiontopic-canonical'))?.valueCanonical).toBe(topic());
  });

  it('sends id-only notifications shaped per the Backport IG STU 1.1, on a topic readable from the CapabilityStatement', async () => {
    const { extension: _secret, ...plain } = subscription('sub-id-only', `${hookBase}/id-only`);
    const idOnly = { ...plain, channel: { ...plain.channel, _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'id-only' }] }, extension: undefined } } as fhir4.Subscription;
    const created = await service.http.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send(idOnly).expect(201);
    const id = created.body.id as string;
    const mine = (): Received[] => received.filter((r) => (r.bundle.entry?.[0]?.resource as fhir4.Parameters | undefined)?.parameter?.some((p) => p.valueReference?.reference?.endsWith(`/Subscription/${id}`)));
    await until('handshake', () => mine().some((r) => statusOf(r.bundle).type === 'handshake'));
    await until('status active', async () => (await service.http.get(`/fhir/Subscription/${id}`).expect(200)).body.status === 'active');
    const observation = await upload('sub-id-only', 21);
    await until('id-only event', () => mine().some((r) => statusOf(r.bundle).type === 'event-notification'));
    const notification = mine().find((r) => statusOf(r.bundle).type === 'event-notification') as Received;
    expectConformantFhir(notification.bundle, 'id-only notification');
    const focusUrl = `${service.runtime.config.fhir.baseUrl}/Observation/${observation.id}`;
    expect(statusOf(notification.bundle).events).toEqual([{ eventNumber: '1', focus: focusUrl }]);
    // The focus travels as an entry with its fullUrl only: the subscriber reads it with its own authorization.
    expect(notification.bundle.entry?.slice(1)).toEqual([{ fullUrl: focusUrl, request: { method: 'POST', url: 'Observation' }, response: { status: '201' } }]);
    expect(notification.raw).not.toContain('"valueInteger"');

    const metadata = (await service.http.get('/fhir/metadata').expect(200)).body as fhir4.CapabilityStatement;
    const canonical = metadata.rest?.[0].resource?.find((r) => r.type === 'Subscription')?.extension?.find((e) => e.url.endsWith('capabilitystatement-subscriptiontopic-canonical'))?.valueCanonical;
    const basic = metadata.rest?.[0].resource?.find((r) => r.type === 'Basic');
    expect(basic?.interaction?.map((i) => i.code)).toEqual(['read']);
    const definition = (await service.http.get('/fhir/Basic/brixia-result').expect(200)).body as fhir4.Basic;
    expect(definition.code.coding?.[0]).toMatchObject({ system: 'http://hl7.org/fhir/fhir-types', code: 'SubscriptionTopic' });
    expect(definition.extension?.find((e) => e.url === 'http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic.url')?.valueUri).toBe(canonical);
    await service.http.delete(`/fhir/Subscription/${id}`).expect(204);
  });
});
