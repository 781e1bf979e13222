import { startFhirPeer, type FhirPeer } from '@brixia/ehr/testing';
import { expectConformantFhir } from '@brixia/fhir/testing';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeDicomFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { REPO_ROOT } from './support/process';
import { scoreReference, seedExternalStudy } from './support/ehr-fixtures';
import { startOrthanc, type OrthancServer } from './support/orthanc';
import { explanationImagesRendered, FHIR_JSON, startService, type TestService } from './support/service';

interface MessageState {
  outboxId: string;
  state: string;
  remoteIds: Record<string, string>;
  attempts: number;
  deliveredAt: string | null;
}
interface DeliveryState extends MessageState {
  revisions?: Array<MessageState & { resultVersion: number }>;
}

const REVIEW = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Publishing back through the transactional outbox: Observation, DiagnosticReport, Device and
 * Provenance reach the EHR (a real FHIR server) exactly once, also across a 60 s EHR outage.
 */
describe('publishing results back to the EHR', () => {
  let ehr: FhirPeer;
  let pacs: OrthancServer;
  let service: TestService;
  let databaseUrl: string;

  beforeAll(async () => {
    [ehr, pacs] = await Promise.all([startFhirPeer(), startOrthanc()]);
    databaseUrl = await createTestDatabase('brixia_ehr_publish');
    service = await startService({
      DATABASE_URL: databaseUrl,
      BRIXIA_EHR_BASE_URL: ehr.baseUrl,
      BRIXIA_EHR_TIMEOUT_MS: '30000', // the EHR answers in ms; outages refuse connections
      BRIXIA_PACS_WADO_RS_URL: pacs.dicomWebUrl,
      BRIXIA_OUTBOX_BASE_DELAY_S: '0.5',
      BRIXIA_OUTBOX_MAX_DELAY_S: '8',
      BRIXIA_OUTBOX_POLL_MS: '200',
    });
  });

  afterAll(async () => {
    await service?.close();
    await Promise.all([ehr?.close(), pacs?.close()]);
  });

  const score = (reference: string) => service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send(scoreReference(reference));
  const delivery = async (observationId: string) => (await service.http.get(`/api/v1/results/${observationId}/delivery`).expect(200)).body as DeliveryState;
  const cli = (...args: string[]) =>
    promisify(execFile)('npm', ['run', '--silent', 'outbox', '--', ...args], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' } });

  it('publishes Observation, DiagnosticReport, Device and Provenance with resolved references; Task says done', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 101);
    const response = await score(seeded.studyUrl).expect(201);
    const observation = response.body as fhir4.Observation;
    const state = await until('delivery', async () => ((await delivery(observation.id as string)).state === 'delivered' ? delivery(observation.id as string) : undefined), 60_000);
    const remoteObservation = state.remoteIds[`Observation/${observation.id}`];
    expect(remoteObservation).toMatch(/^Observation\//);

    const published = await ehr.search<fhir4.Observation>('Observation', { subject: `Patient/${seeded.patientId}` });
    expect(published).toHaveLength(1);
    expectConformantFhir({ ...published[0], meta: undefined } as fhir4.Observation);
    expect(published[0].identifier).toEqual(observation.identifier);
    expect(published[0].device?.reference).toBe(state.remoteIds[observation.device?.reference as string]);
    expect(JSON.stringify(published[0].derivedFrom)).toContain(`ImagingStudy/${seeded.studyId}`);
    const [report] = await ehr.search<fhir4.DiagnosticReport>('DiagnosticReport', { subject: `Patient/${seeded.patientId}` });
    expect(report.result?.[0].reference).toBe(remoteObservation);
    expect(report.imagingStudy?.[0].reference).toBe(`ImagingStudy/${seeded.studyId}`);
    expect(report.conclusion).toMatch(/Brixia/);
    const provenances = await ehr.search<fhir4.Provenance>('Provenance', { target: remoteObservation });
    expect(provenances).toHaveLength(1);
    expect(await ehr.search('Device', {})).toHaveLength(1);

    const task = await service.http.get(new URL(String(response.headers['content-location'])).pathname).expect(200);
    expect(task.body.businessStatus.text).toBe('done');

    // Here every resource of the study names the EHR's Patient by its absolute URL (Task.for included);
    // on the EHR what was published names it relative to the EHR again, and nothing else is published.
    const ehrPatient = { reference: `${ehr.baseUrl}/Patient/${seeded.patientId}`, type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN101' } };
    expect(observation.subject).toEqual(ehrPatient);
    expect(task.body.for).toEqual(ehrPatient);
    expect(published[0].subject).toEqual({ ...ehrPatient, reference: `Patient/${seeded.patientId}` });
    expect(report.subject).toEqual({ ...ehrPatient, reference: `Patient/${seeded.patientId}` });
    expect(JSON.stringify([published, report, provenances])).not.toContain(ehr.baseUrl);
    await explanationImagesRendered(service, observation.id as string);
    for (const type of ['Task', 'Media'] as const) expect(await ehr.search(type, {})).toHaveLength(0);
  });

  it('dead-letters a permanent refusal, shows it on the Task, and the operator command redelivers it', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 301);
    ehr.setOverride((request) => (request.method === 'POST' ? { status: 200, body: '<html>maintenance page</html>', headers: { 'content-type': 'text/html' } } : undefined));
    let observationId: string;
    let taskPath: string;
    try {
      const response = await score(seeded.studyUrl).expect(201);
      observationId = response.body.id;
      taskPath = new URL(String(response.headers['content-location'])).pathname;
      await until('dead letter', async () => ((await delivery(observationId)).state === 'dead' ? true : undefined), 60_000);
    } finally {
      ehr.setOverride(undefined);
    }
    expect((await service.http.get(taskPath).expect(200)).body.businessStatus.text).toBe('publish-failed');
    const listed = (await cli('list', 'dead')).stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; observationId: string; lastError: string });
    const dead = listed.find((entry) => entry.observationId === observationId);
    expect(dead?.lastError).toMatch(/UPSTREAM.INVALID_RESPONSE/);
    await cli('redeliver', dead?.id as string);
    await until('redelivery', async () => ((await delivery(observationId)).state === 'delivered' ? true : undefined), 60_000);
    expect(await ehr.search('Observation', { subject: `Patient/${seeded.patientId}` })).toHaveLength(1);
    expect((await service.http.get(taskPath).expect(200)).body.businessStatus.text).toBe('done');
  });

  it('survives a 60 s EHR outage: every result arrives exactly once after recovery', async () => {
    const seeded = await Promise.all([201, 202, 203].map((seed) => seedExternalStudy(ehr, pacs, seed)));
    // Reads (intake) work; writes fail from the start, then the whole server goes away for 60 s.
    ehr.setOverride((request) => (request.method === 'POST' ? { status: 503, body: '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient"}]}' } : undefined));
    const observations: string[] = [];
    for (const study of seeded) {
      const accepted = await score(study.studyUrl).set('Prefer', 'respond-async').expect(202);
      const taskPath = new URL(String(accepted.headers['content-location'])).pathname;
      observations.push(await until('scoring', async () => (await service.http.get(taskPath)).body.output?.[0]?.valueReference?.reference?.replace('Observation/', ''), 60_000));
    }
    await ehr.stop();
    ehr.setOverride(undefined);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    for (const id of observations) {
      const state = await delivery(id);
      expect(state.state).toBe('pending');
      expect(state.attempts).toBeGreaterThan(2);
    }
    await ehr.start();
    for (const id of observations) await until('delivery after recovery', async () => ((await delivery(id)).state === 'delivered' ? true : undefined), 60_000);
    for (const study of seeded) {
      expect(await ehr.search('Observation', { subject: `Patient/${study.patientId}` })).toHaveLength(1);
      expect(await ehr.search('DiagnosticReport', { subject: `Patient/${study.patientId}` })).toHaveLength(1);
    }
    expect(await ehr.search('Device', {})).toHaveLength(1);
  });

  it('publishes a clinician override as an update of the same Observation and report plus a revision Provenance, exactly once', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 401);
    const response = await score(seeded.studyUrl).expect(201);
    const ai = response.body as fhir4.Observation;
    const id = ai.id as string;
    const taskPath = new URL(String(response.headers['content-location'])).pathname;
    const first = await until('delivery', async () => ((await delivery(id)).state === 'delivered' ? delivery(id) : undefined), 60_000);
    const remoteObservation = first.remoteIds[`Observation/${id}`];
    const remoteReport = Object.entries(first.remoteIds).find(([local]) => local.startsWith('DiagnosticReport/'))?.[1];

    // Every zone changes, so the review is an override (amended) whatever the model said.
    const zones = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F'].map((zone, index) => [zone, ((ai.component?.[index]?.valueInteger ?? 0) + 1) % 4]));
    const reviewed = await service.http.post('/graphql').send({ query: REVIEW, variables: { input: { observationId: id, action: 'OVERRIDE', zones, practitionerId: 'dr-rossi' } } }).expect(200);
    expect(reviewed.body.data.reviewAssessment).toEqual({ versionId: 2, status: 'amended' });
    const state = await until('revision delivery', async () => {
      const current = await delivery(id);
      return current.revisions?.[0]?.state === 'delivered' ? current : undefined;
    }, 60_000);
    expect(state).toMatchObject({ outboxId: first.outboxId, state: 'delivered', remoteIds: first.remoteIds });
    const revision = state.revisions?.[0] as MessageState;
    expect(state.revisions).toHaveLength(1);

    const observations = await ehr.search<fhir4.Observation>('Observation', { subject: `Patient/${seeded.patientId}` });
    expect(observations.map((o) => `Observation/${o.id}`)).toEqual([remoteObservation]);
    const [published] = observations;
    expectConformantFhir({ ...published, meta: undefined } as fhir4.Observation);
    expect(published.status).toBe('amended');
    expect(published.component?.map((c) => c.valueInteger)).toEqual(Object.values(zones));
    expect(published.valueInteger).toBe(Object.values(zones).reduce((a, b) => a + b, 0));
    expect(published.identifier).toEqual(ai.identifier);
    const reports = await ehr.search<fhir4.DiagnosticReport>('DiagnosticReport', { subject: `Patient/${seeded.patientId}` });
    expect(reports.map((r) => `DiagnosticReport/${r.id}`)).toEqual([remoteReport]);
    expectConformantFhir({ ...reports[0], meta: undefined } as fhir4.DiagnosticReport);
    expect(reports[0]).toMatchObject({ status: 'amended', result: [{ reference: remoteObservation }] });
    expect(reports[0].media).toBeUndefined();
    const provenances = async () => ehr.search<fhir4.Provenance>('Provenance', { target: remoteObservation });
    const both = await provenances();
    expect(both.map((p) => p.activity?.coding?.[0]?.code).sort()).toEqual(['CREATE', 'UPDATE']);
    const revised = both.find((p) => p.activity?.coding?.[0]?.code === 'UPDATE') as fhir4.Provenance;
    expectConformantFhir({ ...revised, meta: undefined } as fhir4.Provenance);
    expect(revised.target.map((t) => t.reference)).toEqual([remoteObservation, remoteReport]);
    expect(revised.agent[0].who?.reference).toBe('Practitioner/dr-rossi');

    // The operator command lists the revision; redelivering it, then the result, changes nothing on the EHR.
    const listed = (await cli('list', 'delivered')).stdout.trim().split('\n').map((line) => JSON.parse(line) as { id: string; observationId: string; kind: string });
    expect(listed.filter((entry) => entry.observationId === id).map((entry) => [entry.id, entry.kind])).toEqual([[first.outboxId, 'result'], [revision.outboxId, 'revision']]);
    for (const outboxId of [revision.outboxId, first.outboxId]) {
      await cli('redeliver', outboxId);
      await until('redelivery', async () => {
        const current = await delivery(id);
        const message = [current, ...(current.revisions ?? [])].find((m) => m.outboxId === outboxId);
        return message?.state === 'delivered' && message.deliveredAt !== (outboxId === first.outboxId ? first.deliveredAt : revision.deliveredAt) ? true : undefined;
      }, 60_000);
    }
    expect(await provenances()).toHaveLength(2);
    expect((await ehr.search<fhir4.Observation>('Observation', { subject: `Patient/${seeded.patientId}` })).map((o) => o.status)).toEqual(['amended']);
    // The Task's businessStatus is the AI result's publication: done, untouched by the revision.
    expect((await service.http.get(taskPath).expect(200)).body.businessStatus.text).toBe('done');
  });

  it('publishes a better instance of an EHR study after the point it supersedes, its Provenance naming that point under the EHR ids', async () => {
    // The study's AP instance, scored from the PACS, is its first point...
    const seeded = await seedExternalStudy(ehr, pacs, 107, { viewPosition: 'AP' });
    const first = await score(seeded.studyUrl).expect(201);
    const apObservation = first.body as fhir4.Observation;
    // ...then a PA instance of the same study (same StudyInstanceUID and patient) arrives as an upload.
    const uid = seeded.studyInstanceUid;
    const paBytes = await makeDicomFixture({ modality: 'DX', viewPosition: 'PA', studyInstanceUid: uid, seriesInstanceUid: `${uid}.2`, sopInstanceUid: `${uid}.2.1`, patientId: seeded.patientId, width: 320, height: 320, seed: 107, acquisitionDateTime: '20240301101500' });
    const second = await service.http.post('/api/v1/studies').attach('file', paBytes, { filename: 'pa.dcm' }).field('patient', seeded.patientId).expect(201);
    const paObservation = second.body as fhir4.Observation;
    const delivered = (id: string) => until(`delivery of ${id}`, async () => ((await delivery(id)).state === 'delivered' ? delivery(id) : undefined), 120_000);
    const [apState, paState] = [await delivered(apObservation.id as string), await delivered(paObservation.id as string)];

    // The EHR holds both valid results; the new point's Provenance names the superseded Observation and report by their EHR ids.
    const published = await ehr.search<fhir4.Observation>('Observation', { subject: `Patient/${seeded.patientId}` });
    expect(published.map((o) => o.status).sort()).toEqual(['preliminary', 'preliminary']);
    const remotePa = paState.remoteIds[`Observation/${paObservation.id}`];
    const [provenance] = await ehr.search<fhir4.Provenance>('Provenance', { target: remotePa });
    expect(provenance).toBeDefined();
    const revisions = (provenance.entity ?? []).filter((entity) => entity.role === 'revision').map((entity) => entity.what.reference);
    expect(revisions).toEqual([apState.remoteIds[`Observation/${apObservation.id}`], expect.stringMatching(/^DiagnosticReport\//)]);
    expect(Object.values(apState.remoteIds)).toContain(revisions[1]);
    // Delivering the superseded result did not turn its Task back to `done`.
    const apTask = (await service.http.get(new URL(String(first.headers['content-location'])).pathname).expect(200)).body as fhir4.Task;
    expect(apTask.businessStatus?.text).toBe('superseded');
  }, 300_000);
});
