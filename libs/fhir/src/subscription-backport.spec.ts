import { notificationBundle, parseSubscription, servedSubscription, subscriptionHmacExtensionUrl } from './subscription-backport';
import { brixiaResultTopic } from './subscription-topic';
import { expectConformantFhir, expectValidR4 } from './testing';

const config = { baseUrl: 'http://localhost:3000/fhir', canonicalBase: 'https://brixia.example.org/fhir' };
const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
const valid = (): fhir4.Subscription => ({
  resourceType: 'Subscription',
  status: 'requested',
  reason: 'test',
  criteria: 'https://brixia.example.org/fhir/SubscriptionTopic/brixia-result',
  _criteria: { extension: [{ url: `${BACKPORT}/backport-filter-criteria`, valueString: 'Observation?patient=Patient/p1' }] },
  extension: [{ url: subscriptionHmacExtensionUrl(config), valueString: 'secret' }],
  channel: {
    type: 'rest-hook',
    endpoint: 'https://ehr.example.org/hooks/brixia',
    payload: 'application/fhir+json',
    _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'id-only' }] },
    extension: [{ url: `${BACKPORT}/backport-heartbeat-period`, valueUnsignedInt: 60 }],
  } as fhir4.SubscriptionChannel,
});

describe('Subscriptions backport', () => {
  it('reads what a backport Subscription asks for', () => {
    expect(parseSubscription(valid(), config)).toMatchObject({ endpoint: 'https://ehr.example.org/hooks/brixia', payloadContent: 'id-only', heartbeatSeconds: 60, patientId: 'p1', hmacSecret: 'secret' });
  });

  it.each([
    ['another topic', { criteria: 'Observation?code=x' }, 'Subscription.criteria'],
    ['a websocket channel', { channel: { type: 'websocket' } }, 'Subscription.channel.type'],
    ['a non-http endpoint', { channel: { type: 'rest-hook', endpoint: 'file:///etc/passwd' } }, 'Subscription.channel.endpoint'],
    ['an unsupported filter', { _criteria: { extension: [{ url: `${BACKPORT}/backport-filter-criteria`, valueString: 'Patient?name=x' }] } }, 'Subscription.criteria.extension'],
  ])('refuses %s', (_what, change, expression) => {
    expect(() => parseSubscription({ ...valid(), ...change }, config)).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID', expression: [expression] }));
  });

  it('never serves the HMAC secret', () => {
    expect(JSON.stringify(servedSubscription(valid(), 's1', 'active', config))).not.toContain('secret"');
  });

  it('builds valid history notifications; empty payloads carry no focus', async () => {
    const input = { id: '6f1c1b9e-0000-4000-8000-000000000001', timestamp: '2024-05-01T10:00:00Z', subscriptionId: 's1', status: 'active' as const, type: 'event-notification' as const, eventsSinceSubscriptionStart: 3, events: [{ eventNumber: 3, timestamp: '2024-05-01T10:00:00Z', focus: 'Observation/o1' }] };
    const idOnly = notificationBundle({ ...input, payloadContent: 'id-only' }, config);
    await expectValidR4(idOnly);
    expect(idOnly.type).toBe('history');
    expect(JSON.stringify(idOnly)).toContain('http://localhost:3000/fhir/Observation/o1');
    expect(JSON.stringify(notificationBundle({ ...input, payloadContent: 'empty' }, config))).not.toContain('Observation/o1');
  });

  it('shapes id-only notifications per the Backport IG STU 1.1: the focus reference in the status and an entry with only its fullUrl', () => {
    const input = { id: '6f1c1b9e-0000-4000-8000-000000000002', timestamp: '2024-05-01T10:00:00Z', subscriptionId: 's1', status: 'active' as const, type: 'event-notification' as const, eventsSinceSubscriptionStart: 4, events: [{ eventNumber: 4, timestamp: '2024-05-01T10:00:00Z', focus: 'Observation/o2' }] };
    const idOnly = notificationBundle({ ...input, payloadContent: 'id-only' }, config);
    expectConformantFhir(idOnly);
    const [status, focus, ...rest] = idOnly.entry ?? [];
    expect(status.resource).toMatchObject({ resourceType: 'Parameters', meta: { profile: ['http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4'] } });
    expect(status.request).toEqual({ method: 'GET', url: 'http://localhost:3000/fhir/Subscription/s1/$status' });
    const event = (status.resource as fhir4.Parameters).parameter?.find((p) => p.name === 'notification-event');
    expect(event?.part).toEqual([
      { name: 'event-number', valueString: '4' },
      { name: 'timestamp', valueInstant: '2024-05-01T10:00:00Z' },
      { name: 'focus', valueReference: { reference: 'http://localhost:3000/fhir/Observation/o2' } },
    ]);
    expect(focus).toEqual({ fullUrl: 'http://localhost:3000/fhir/Observation/o2', request: { method: 'POST', url: 'Observation' }, response: { status: '201' } });
    expect(rest).toEqual([]);
    const handshake = notificationBundle({ ...input, type: 'handshake', events: undefined, payloadContent: 'id-only' }, config);
    expect(handshake.entry).toHaveLength(1);
  });

  it('publishes the topic as R4 can: a Basic with the R5 SubscriptionTopic cross-version extensions, whose url is the canonical the CapabilityStatement names', () => {
    const topic = brixiaResultTopic(config);
    expectConformantFhir(topic);
    expect(topic.code.coding?.[0]).toMatchObject({ system: 'http://hl7.org/fhir/fhir-types', code: 'SubscriptionTopic' });
    const url = topic.extension?.find((e) => e.url === 'http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic.url');
    expect(url?.valueUri).toBe('https://brixia.example.org/fhir/SubscriptionTopic/brixia-result');
    const trigger = topic.extension?.find((e) => e.url.endsWith('.resourceTrigger'));
    expect(trigger?.extension?.filter((e) => e.url === 'supportedInteraction').map((e) => e.valueCode)).toEqual(['create', 'update']);
  });
});
