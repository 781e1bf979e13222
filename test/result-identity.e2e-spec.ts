import { expectValidR4 } from '@brixia/fhir/testing';
import { makeDicomFixture, makeRasterFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { FHIR_JSON, startService, waitForTask, type TestService } from './support/service';

/**
 * The identity of a result is (patient, image, model version): the same pixels never answer for a
 * second patient and a failed Task does not block a new attempt (one ImagingStudy, one timeline point:
 * study-point.e2e-spec.ts).
 */
// Wide bounds (no test may depend on the machine's speed): a scoring took minutes on a 2-core machine shared by ~8 test runs.
const SCORING_BOUND_MS = 300_000;

describe('result identity (patient, image, model version) on PostgreSQL with the real model', () => {
  let service: TestService;

  beforeAll(async () => {
    // A sync upload waits up to BRIXIA_SYNC_TIMEOUT_MS before degrading to 202: as wide as the bound.
    service = await startService({ DATABASE_URL: await createTestDatabase('result_identity_e2e'), BRIXIA_SYNC_TIMEOUT_MS: String(SCORING_BOUND_MS) });
  }, SCORING_BOUND_MS);

  afterAll(async () => {
    await service?.close();
  });

  const png = (seed: number): Promise<Buffer> => makeRasterFixture({ format: 'png', width: 320, height: 320, seed });
  const upload = (bytes: Buffer, fields: { patient?: string; acquired?: string; prefer?: string; requestId?: string; filename?: string }) => {
    let req = service.http.post('/api/v1/studies').attach('file', bytes, { filename: fields.filename ?? 'cxr.png' });
    if (fields.patient) req = req.field('patient', fields.patient);
    if (fields.acquired) req = req.field('acquired', fields.acquired);
    if (fields.prefer) req = req.set('Prefer', fields.prefer);
    if (fields.requestId) req = req.set('X-Request-Id', fields.requestId);
    return req;
  };
  /** What the database holds for a patient: its Tasks and its timeline results (white-box: "nothing for the loser"). */
  const rowsOf = async (patient: string): Promise<{ tasks: number; results: number; studies: number }> => {
    const [row] = (await service.runtime.database.dataSource.query(
      `SELECT (SELECT count(*) FROM scoring_task WHERE patient_id = $1)::int AS tasks,
              (SELECT count(*) FROM brixia_result WHERE patient_id = $1)::int AS results,
              (SELECT count(*) FROM imaging_study WHERE patient_id = $1)::int AS studies`,
      [patient],
    )) as Array<{ tasks: number; results: number; studies: number }>;
    return row;
  };
  const observationsOf = async (patient: string): Promise<fhir4.Observation[]> => {
    const bundle = await service.http.get('/fhir/Observation').query({ subject: `Patient/${patient}` }).expect(200);
    return ((bundle.body as fhir4.Bundle).entry ?? []).map((entry) => entry.resource as fhir4.Observation);
  };
  const expectPatientConflict = async (response: { status: number; body: fhir4.OperationOutcome }): Promise<void> => {
    expect(response.status).toBe(409);
    await expectValidR4(response.body);
    expect(response.body.issue[0].details?.text).toBe('IMAGING.PATIENT_CONFLICT');
    expect(response.body.issue[0].code).toBe('conflict');
  };

  it('refuses the same image for another patient with 409: no answer with the first patient\'s result, nothing for the second', async () => {
    const bytes = await png(31);
    const first = await upload(bytes, { patient: 'id-a', acquired: '2024-03-01T10:00:00Z' }).expect(201);
    expect(first.body.subject.reference).toBe('Patient/id-a');

    const second = await upload(bytes, { patient: 'id-b', acquired: '2024-03-09T10:00:00Z' });
    await expectPatientConflict(second);
    expect(second.headers['content-type']).toContain(FHIR_JSON);
    expect(await rowsOf('id-b')).toEqual({ tasks: 0, results: 0, studies: 0 });
    expect(await observationsOf('id-b')).toEqual([]);
    // The first patient's result is untouched.
    const [observation] = await observationsOf('id-a');
    expect(observation).toMatchObject({ id: first.body.id, effectiveDateTime: '2024-03-01T10:00:00Z', subject: { reference: 'Patient/id-a' } });
  }, 2 * SCORING_BOUND_MS);

  it('lets exactly one of two concurrent submissions of one image for two patients win; the other gets 409 and nothing', async () => {
    // Several rounds, each a fresh image, so the two transactions overlap at least sometimes; the outcome must be the same every time.
    for (const seed of [41, 42, 43]) {
      const bytes = await png(seed);
      const patients = [`race-${seed}-x`, `race-${seed}-y`];
      const responses = await Promise.all(patients.map((patient) => upload(bytes, { patient, acquired: '2024-04-01T10:00:00Z', prefer: 'respond-async' })));
      expect(responses.map((r) => r.status).sort()).toEqual([202, 409]);
      const winner = responses.findIndex((r) => r.status === 202);
      const [winnerId, loserId] = [patients[winner], patients[1 - winner]];
      await expectPatientConflict(responses[1 - winner]);
      expect(await rowsOf(loserId)).toEqual({ tasks: 0, results: 0, studies: 0 });

      const task = await waitForTask(service, new URL(String(responses[winner].headers['content-location'])).pathname, SCORING_BOUND_MS);
      expect(task.status).toBe('completed');
      expect(task.for?.reference).toBe(`Patient/${winnerId}`);
      const observations = await observationsOf(winnerId);
      expect(observations.map((o) => o.subject?.reference)).toEqual([`Patient/${winnerId}`]);
      expect(await observationsOf(loserId)).toEqual([]);
    }
  }, 3 * SCORING_BOUND_MS);

  it('starts a new attempt (new Task, new request id) when the earlier Task failed, instead of returning the old failure', async () => {
    const notAnImage = Buffer.from('definitely not a radiograph, but the same bytes twice');
    const first = await upload(notAnImage, { patient: 'id-retry', prefer: 'respond-async', requestId: 'req-first-attempt', filename: 'x.bin' }).expect(202);
    const firstTask = await waitForTask(service, new URL(String(first.headers['content-location'])).pathname, SCORING_BOUND_MS);
    expect(firstTask.status).toBe('failed');

    const again = await upload(notAnImage, { patient: 'id-retry', prefer: 'respond-async', requestId: 'req-second-attempt', filename: 'x.bin' }).expect(202);
    expect(again.headers['content-location']).not.toBe(first.headers['content-location']);
    const secondTask = await waitForTask(service, new URL(String(again.headers['content-location'])).pathname, SCORING_BOUND_MS);
    expect(secondTask.status).toBe('failed');
    expect(secondTask.note?.[0].text).toContain('req-second-attempt');
    expect(JSON.stringify(secondTask)).not.toContain('req-first-attempt');

    // The same bytes for another patient: still a conflict, not the first patient's failed Task.
    await expectPatientConflict(await upload(notAnImage, { patient: 'id-retry-other', prefer: 'respond-async', filename: 'x.bin' }));
  }, 2 * SCORING_BOUND_MS);

  it('refuses an upload without a patient (none given, no usable DICOM PatientID) with a 400 OperationOutcome and records nothing', async () => {
    const count = async (): Promise<number> => Number(((await service.runtime.database.dataSource.query('SELECT count(*)::int AS n FROM scoring_task')) as Array<{ n: number }>)[0].n);
    const before = await count();
    const dicom = (patientId: string, seed: number): Promise<Buffer> =>
      makeDicomFixture({ patientId, acquisitionDateTime: '20240310120000', width: 320, height: 320, seed, transferSyntax: 'explicit-le' });
    const refused = [
      { bytes: await dicom('', 61), filename: 'no-patient.dcm' },
      { bytes: await dicom('NOT A/FHIR ID', 62), filename: 'unusable-patient.dcm' },
      { bytes: await png(63), filename: 'no-patient.png', acquired: '2024-03-10T12:00:00Z' },
    ];
    for (const { bytes, filename, acquired } of refused) {
      for (const prefer of [undefined, 'respond-async']) {
        const response = await upload(bytes, { filename, acquired, prefer });
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toContain(FHIR_JSON);
        await expectValidR4(response.body);
        const [issue] = (response.body as fhir4.OperationOutcome).issue;
        expect(issue).toMatchObject({ severity: 'error', code: 'invalid', details: { text: 'REQUEST.INVALID' }, expression: ['patient'] });
      }
    }
    expect(await count()).toBe(before);
  }, SCORING_BOUND_MS);

  it('keeps the SOP Instance UID as the image identity: the same instance in another transfer syntax is the same result', async () => {
    const common = { patientId: 'id-sop', studyInstanceUid: '2.25.901', sopInstanceUid: '2.25.901.1', acquisitionDateTime: '20240310120000', width: 320, height: 320, seed: 7 };
    const native = await makeDicomFixture({ ...common, transferSyntax: 'explicit-le' });
    const rle = await makeDicomFixture({ ...common, transferSyntax: 'rle' });
    const first = await upload(native, { filename: 'a.dcm' }).expect(201);
    const again = await upload(rle, { filename: 'b.dcm' }).expect(200);
    expect(again.body.id).toBe(first.body.id);
  }, 2 * SCORING_BOUND_MS);
});
