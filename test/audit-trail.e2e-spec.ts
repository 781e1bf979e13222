import { randomUUID } from 'node:crypto';
import { systemClock } from '@brixia/common';
import { buildAuditEvent } from '@brixia/fhir';
import { expectValidR4 } from '@brixia/fhir/testing';
import { makeRasterFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { purgeExpiredAuditEvents } from '../apps/api/src/audit/audit-retention';
import { startService, type TestService } from './support/service';
import type { TokenOptions } from './support/auth';
import { DEMO_SYSTEM_CLIENT_ID } from '../apps/api/src/dev-issuer/dev-issuer';

const PATIENT = 'audit-p1';
// Real tokens of the test issuer (oidc-provider): a clinician's, an auditor's, and one whose scopes do not cover the timeline.
const clinician: TokenOptions = { scope: 'user/*.cruds', fhirUser: 'Practitioner/dr-rossi' };
const auditor: TokenOptions = { scope: 'system/AuditEvent.rs', fhirUser: null };
const deviceReader: TokenOptions = { scope: 'system/Device.rs', fhirUser: null };
const CLIENT = DEMO_SYSTEM_CLIENT_ID;

describe('audit trail: one AuditEvent per access to patient data', () => {
  let service: TestService;
  let observationId: string;
  let taskId: string;
  let studyId: string;
  let uploadRequestId: string;

  /** The AuditEvents recorded for one request id. */
  const eventsOf = async (requestId: string): Promise<fhir4.AuditEvent[]> => {
    const rows: Array<{ resource: fhir4.AuditEvent }> = await service.runtime.database.dataSource.query(`SELECT resource FROM audit_event WHERE request_id = $1`, [requestId]);
    return rows.map((row) => row.resource);
  };
  const patientsOf = (event: fhir4.AuditEvent): string[] => (event.entity ?? []).filter((e) => e.role?.code === '1').map((e) => String(e.what?.reference));
  const entitiesOf = (event: fhir4.AuditEvent): string[] => (event.entity ?? []).filter((e) => e.role?.code === '4').map((e) => String(e.what?.reference));

  /** Sends one request as `principal` and returns its single AuditEvent (asserting there is exactly one). */
  const audited = async (send: (requestId: string) => Promise<unknown>): Promise<fhir4.AuditEvent> => {
    const requestId = `aud-${randomUUID()}`;
    await send(requestId);
    const events = await eventsOf(requestId);
    expect(events).toHaveLength(1);
    expectValidR4(events[0]);
    return events[0];
  };
  const tokens = new Map<TokenOptions, string>();
  const bearer = async (options: TokenOptions): Promise<string> => {
    if (!tokens.has(options)) tokens.set(options, await service.tokenFor(options));
    return `Bearer ${tokens.get(options) ?? ''}`;
  };
  const as = async (principal: TokenOptions | undefined, requestId: string, path: string, status: number) => {
    const request = service.anonymous.get(path).set('X-Request-ID', requestId);
    return (principal ? request.set('Authorization', await bearer(principal)) : request).expect(status);
  };
  const gql = async (requestId: string, query: string, variables: Record<string, unknown> = {}, principal: TokenOptions = clinician) =>
    service.anonymous.post('/graphql').set('X-Request-ID', requestId).set('Authorization', await bearer(principal)).send({ query, variables }).expect(200);
  const clientOf = (event: fhir4.AuditEvent): string | undefined => event.agent[0].who?.identifier?.value;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('audit_e2e') });
    uploadRequestId = `aud-upload-${randomUUID()}`;
    const png = await makeRasterFixture({ format: 'png', width: 600, height: 500, seed: 71 });
    const upload = await service.anonymous
      .post('/api/v1/studies')
      .set('X-Request-ID', uploadRequestId)
      .set('Authorization', await bearer(clinician))
      .attach('file', png, { filename: 'cxr.png', contentType: 'image/png' })
      .field('patient', PATIENT)
      .field('acquired', '2024-03-01T10:00:00Z')
      .expect(201);
    observationId = upload.body.id as string;
    taskId = String(upload.headers['content-location']).split('/').pop() as string;
    studyId = String((upload.body as fhir4.Observation).derivedFrom?.[0]?.reference ?? '').split('/').pop() as string;
  });

  afterAll(async () => {
    await service?.close();
  });

  it('records the upload in its own transaction: one create event naming the Task, the study and the patient', async () => {
    const events = await eventsOf(uploadRequestId);
    expect(events).toHaveLength(1);
    expectValidR4(events[0]);
    expect(events[0]).toMatchObject({ action: 'C', outcome: '0', subtype: [{ code: 'create' }] });
    expect(clientOf(events[0])).toBe(CLIENT);
    expect(events[0].agent[1].who?.reference).toBe('Practitioner/dr-rossi');
    expect(patientsOf(events[0])).toEqual([`Patient/${PATIENT}`]);
    expect(entitiesOf(events[0])).toContain(`Task/${taskId}`);
  });

  it('audits FHIR reads and searches with the agent, the patient and the resource', async () => {
    const reads: Array<[string, string | undefined, 'R' | 'E']> = [
      [`/fhir/Observation/${observationId}`, `Observation/${observationId}`, 'R'],
      [`/fhir/Task/${taskId}`, `Task/${taskId}`, 'R'],
      [`/fhir/Observation?patient=${PATIENT}`, `Observation/${observationId}`, 'E'],
      [`/fhir/Observation/$lastn?patient=${PATIENT}`, `Observation/${observationId}`, 'E'],
      [`/api/v1/patients/${PATIENT}/timeline`, undefined, 'R'],
    ];
    if (studyId) reads.push([`/fhir/ImagingStudy/${studyId}`, `ImagingStudy/${studyId}`, 'R']);
    for (const [path, entity, action] of reads) {
      const event = await audited((id) => as(clinician, id, path, 200));
      expect({ path, action: event.action, outcome: event.outcome, client: clientOf(event), patients: patientsOf(event) }).toEqual({ path, action, outcome: '0', client: CLIENT, patients: [`Patient/${PATIENT}`] });
      if (entity) expect(entitiesOf(event)).toContain(entity);
    }
  });

  it('audits image downloads (explanation Binary, radiograph PNG), served with no-store', async () => {
    const query = `query A($id: ID!) { assessment(observationId: $id) { radiographUrl explanationImages { url mediaId } } }`;
    type Images = { radiographUrl: string; explanationImages: Array<{ url: string; mediaId: string }> };
    // The overlays are rendered after the result is published (off the request's path): wait for them, bounded.
    let assessment: Images = { radiographUrl: '', explanationImages: [] };
    for (const deadline = Date.now() + 60_000; assessment.explanationImages.length === 0; ) {
      if (Date.now() > deadline) throw new Error('no explanation images after 60 s');
      const { body } = await gql(`aud-${randomUUID()}`, query, { id: observationId });
      assessment = body.data.assessment as Images;
      if (assessment.explanationImages.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const binaryPath = new URL(assessment.explanationImages[0].url).pathname;
    const radiographPath = new URL(assessment.radiographUrl).pathname;
    for (const path of [binaryPath, radiographPath, `/fhir/Media/${assessment.explanationImages[0].mediaId}`]) {
      let cacheControl = '';
      const event = await audited(async (id) => {
        const response = await as(clinician, id, path, 200);
        cacheControl = String(response.headers['cache-control']);
      });
      expect({ path, cacheControl, action: event.action, patients: patientsOf(event) }).toEqual({ path, cacheControl: 'no-store', action: 'R', patients: [`Patient/${PATIENT}`] });
    }
  });

  it('audits GraphQL queries (one event per request, every patient listed) and a review as one update', async () => {
    const list = await audited((id) => gql(id, `{ patients(first: 10) { edges { node { id latestScore } } } }`));
    expect(list).toMatchObject({ action: 'E', outcome: '0' });
    expect(patientsOf(list)).toEqual([`Patient/${PATIENT}`]);
    const aliased = await audited((id) => gql(id, `{ a: assessment(observationId: "${observationId}") { global } b: assessment(taskId: "${taskId}") { global } }`));
    expect(patientsOf(aliased)).toEqual([`Patient/${PATIENT}`]);

    const review = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;
    const confirm = await audited((id) => gql(id, review, { input: { observationId, action: 'CONFIRM', practitionerId: 'dr-rossi' } }));
    expect(confirm).toMatchObject({ action: 'U', outcome: '0', subtype: [{ code: 'update' }] });
    expect(patientsOf(confirm)).toEqual([`Patient/${PATIENT}`]);
    expect(entitiesOf(confirm)).toContain(`Observation/${observationId}`);
    // A stale version: the review's transaction rolls back; the refusal is still audited, once, as a failure.
    const stale = await audited((id) => gql(id, review, { input: { observationId, action: 'CONFIRM', practitionerId: 'dr-rossi', expectedVersion: 1 } }));
    expect(stale).toMatchObject({ action: 'U', outcome: '4' });
  });

  it('audits $brixia-score with the Task it answers, in the Task transaction', async () => {
    const event = await audited(async (id) =>
      service.anonymous.post(`/fhir/ImagingStudy/${studyId}/$brixia-score`).set('X-Request-ID', id).set('Prefer', 'respond-async').set('Authorization', await bearer(clinician)).expect(202),
    );
    expect(event).toMatchObject({ action: 'E', outcome: '0', subtype: [{ code: 'operation' }] });
    expect(entitiesOf(event)).toEqual(expect.arrayContaining([`ImagingStudy/${studyId}`, `Task/${taskId}`]));
    expect(patientsOf(event)).toEqual([`Patient/${PATIENT}`]);
  });

  it('audits refusals: unknown resource (404), anonymous (401) and forbidden (403), whoever answered them', async () => {
    const missing = await audited((id) => as(clinician, id, '/fhir/Observation/no-such-result', 404));
    expect(missing).toMatchObject({ action: 'R', outcome: '4' });
    expect(entitiesOf(missing)).toEqual(['Observation/no-such-result']);
    const anonymous = await audited((id) => service.anonymous.get(`/fhir/Observation?patient=${PATIENT}`).set('X-Request-ID', id).expect(401));
    expect(anonymous).toMatchObject({ outcome: '4', outcomeDesc: expect.stringContaining('HTTP 401') });
    expect(anonymous.agent[0].who).toBeUndefined();
    expect(anonymous.agent[0].network?.address).toBeTruthy();
    const forbidden = await audited((id) => as(deviceReader, id, `/api/v1/patients/${PATIENT}/timeline`, 403));
    expect(forbidden).toMatchObject({ outcome: '4', outcomeDesc: expect.stringContaining('HTTP 403') });
    expect(clientOf(forbidden)).toBe(CLIENT);
    expect(patientsOf(forbidden)).toEqual([`Patient/${PATIENT}`]);
    // Not patient data: no event.
    const requestId = `aud-${randomUUID()}`;
    await as(clinician, requestId, '/fhir/metadata', 200);
    expect(await eventsOf(requestId)).toEqual([]);
  });

  it('serves the trail to audit scopes only: search by patient, agent, entity and date, and read by id', async () => {
    const search = (query: string, principal: TokenOptions | undefined, status = 200) => as(principal, `q-${randomUUID()}`, `/fhir/AuditEvent?${query}`, status);
    await search(`patient=${PATIENT}`, undefined, 401);
    await search(`patient=${PATIENT}`, clinician, 403);
    await search(`patient=${PATIENT}`, { ...auditor, patient: PATIENT }, 403);
    const byPatient = (await search(`patient=${PATIENT}&_count=500`, auditor)).body as fhir4.Bundle;
    expect(byPatient).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    expectValidR4(byPatient);
    expect(byPatient.total).toBeGreaterThanOrEqual(10);
    for (const entry of byPatient.entry ?? []) expect(patientsOf(entry.resource as fhir4.AuditEvent)).toContain(`Patient/${PATIENT}`);
    const byEntity = (await search(`entity=Observation/${observationId}&agent=${CLIENT}&date=ge2020-01-01`, auditor)).body as fhir4.Bundle;
    expect(byEntity.total).toBeGreaterThan(0);
    for (const entry of byEntity.entry ?? []) {
      expect(entitiesOf(entry.resource as fhir4.AuditEvent)).toContain(`Observation/${observationId}`);
      expect(clientOf(entry.resource as fhir4.AuditEvent)).toBe(CLIENT);
    }
    expect((await search('agent=nobody', auditor)).body.total).toBe(0);
    expect((await search('date=lt2020-01-01', auditor)).body.total).toBe(0);
    await search('date=yesterday', auditor, 400);
    const first = byPatient.entry?.[0].resource as fhir4.AuditEvent;
    const read = await as(auditor, `q-${randomUUID()}`, `/fhir/AuditEvent/${first.id}`, 200);
    expect(read.body).toEqual(first);
    await as(auditor, `q-${randomUUID()}`, `/fhir/AuditEvent/${randomUUID()}`, 404);
  });

  it('purges events older than the retention period and keeps the rest', async () => {
    const old = { id: randomUUID(), recorded: new Date(Date.UTC(2015, 0, 1)), action: 'R', interaction: 'read', status: 200, agent: {}, patientIds: ['old-p'], entities: [], description: 'GET /x' } as const;
    await service.runtime.audit.store.record({ input: old, resource: buildAuditEvent(service.runtime.config.fhir, old) });
    const before = (await service.runtime.audit.store.search({ limit: 1, offset: 0 })).total;
    expect(await purgeExpiredAuditEvents(service.runtime.audit.store, 365, systemClock)).toBe(1);
    expect(await service.runtime.audit.store.find(old.id)).toBeNull();
    expect((await service.runtime.audit.store.search({ limit: 1, offset: 0 })).total).toBe(before - 1);
  });
});
