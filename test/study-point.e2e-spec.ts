import { expectValidR4 } from '@brixia/fhir/testing';
import { makeDicomFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, waitForTask, type TestService } from './support/service';

/**
 * One timeline point per ImagingStudy, the best frontal instance (docs/fhir-profile.md, "One timeline point
 * per ImagingStudy"): instances of one study uploaded separately are ranked (projection, lung evidence,
 * resolution); a better later one supersedes the point, a worse or equal one is skipped, with the reason.
 * Real model, real PostgreSQL. The instances of a study share pixels (the same seed), so only what the test
 * varies — the ViewPosition — can decide the ranking.
 */
// Wide bounds (no test may depend on the machine's speed): a scoring took minutes on a 2-core machine shared by ~8 test runs.
const SCORING_BOUND_MS = 300_000;

describe('one timeline point per ImagingStudy, the best instance (PostgreSQL, real model)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('study_point_e2e'), BRIXIA_SYNC_TIMEOUT_MS: String(SCORING_BOUND_MS) });
  }, SCORING_BOUND_MS);

  afterAll(async () => {
    await service?.close();
  });

  const instance = (patientId: string, studyInstanceUid: string, n: number, viewPosition: string, seed: number): Promise<Buffer> =>
    makeDicomFixture({ patientId, studyInstanceUid, sopInstanceUid: `${studyInstanceUid}.${n}`, viewPosition, acquisitionDateTime: '20240312090000', width: 320, height: 320, seed });
  const upload = (bytes: Buffer, prefer?: string) => {
    const req = service.http.post('/api/v1/studies').attach('file', bytes, { filename: 'i.dcm' });
    return prefer ? req.set('Prefer', prefer) : req;
  };
  const taskPathOf = (response: { headers: Record<string, string> }): string => new URL(String(response.headers['content-location'])).pathname;
  const timelineOf = async (patient: string): Promise<Array<{ observationId: string }>> => (await service.http.get(`/api/v1/patients/${patient}/timeline`).expect(200)).body.points;
  /** The live (not superseded) AI results of a study, white-box: what the unique index holds to one. */
  const livePointsOf = async (studyInstanceUid: string): Promise<string[]> =>
    (
      (await service.runtime.database.dataSource.query(
        `SELECT r.id FROM brixia_result r JOIN imaging_study s ON s.id = r.imaging_study_id WHERE s.study_instance_uid = $1 AND r.superseded_by IS NULL`,
        [studyInstanceUid],
      )) as Array<{ id: string }>
    ).map((row) => row.id);
  const outputsOf = (task: fhir4.Task): string[] => (task.output ?? []).map((output) => String(output.valueReference?.reference));

  it('lets a better later instance (PA over AP) become the point: the earlier result stays valid, leaves the timeline, and is linked by Provenance', async () => {
    const uid = '2.25.97001';
    const ap = await upload(await instance('sp-better', uid, 1, 'AP', 71)).expect(201);
    const apObservation = ap.body as fhir4.Observation;
    expect((await timelineOf('sp-better')).map((p) => p.observationId)).toEqual([apObservation.id]);

    const pa = await upload(await instance('sp-better', uid, 2, 'PA', 71)).expect(201);
    const paObservation = pa.body as fhir4.Observation;
    expect(paObservation.id).not.toBe(apObservation.id);
    expect((await timelineOf('sp-better')).map((p) => p.observationId)).toEqual([paObservation.id]);
    expect(await livePointsOf(uid)).toEqual([paObservation.id]);

    // The superseded Task keeps its own result and names the new point, with the reason.
    const apTask = (await service.http.get(taskPathOf(ap)).expect(200)).body as fhir4.Task;
    await expectValidR4(apTask);
    expect(apTask).toMatchObject({ status: 'completed', businessStatus: { text: 'superseded' } });
    expect(apTask.statusReason?.text).toMatch(/^Superseded as the timeline point of its ImagingStudy by a better instance \(PA view over AP\)/);
    expect(outputsOf(apTask)).toEqual([`Observation/${apObservation.id}`, expect.stringMatching(/^DiagnosticReport\//), `Observation/${paObservation.id}`]);

    // A valid result is not retracted: the Observation is unchanged (status, version), and still found by search.
    const stillThere = (await service.http.get(`/fhir/Observation/${apObservation.id}`).expect(200)).body as fhir4.Observation;
    expect(stillThere).toMatchObject({ status: 'preliminary', meta: { versionId: '1' }, valueInteger: apObservation.valueInteger });
    // What replaced it: the new result's Provenance, entity `revision` = the superseded Observation and report.
    const provenances = (await service.http.get('/fhir/Provenance').query({ entity: `Observation/${apObservation.id}` }).expect(200)).body as fhir4.Bundle;
    expect(provenances.entry).toHaveLength(1);
    const provenance = provenances.entry?.[0].resource as fhir4.Provenance;
    await expectValidR4(provenance);
    expect(provenance.target.map((t) => t.reference)).toEqual([`Observation/${paObservation.id}`, expect.stringMatching(/^DiagnosticReport\//)]);
    expect(provenance.entity?.filter((e) => e.role === 'revision').map((e) => e.what.reference)).toEqual([`Observation/${apObservation.id}`, outputsOf(apTask)[1]]);
    // $lastn is the series' latest: the superseded result is not in it.
    const lastn = (await service.http.get('/fhir/Observation/$lastn').query({ patient: 'Patient/sp-better', max: '5' }).expect(200)).body as fhir4.Bundle;
    expect(lastn.entry?.map((e) => e.resource?.id)).toEqual([paObservation.id]);

    // A third instance, AP again: no better than the PA point, skipped with the comparison.
    const third = await upload(await instance('sp-better', uid, 3, 'AP', 71)).expect(200);
    const thirdTask = third.body as fhir4.Task;
    expect(thirdTask).toMatchObject({ resourceType: 'Task', status: 'completed', businessStatus: { text: 'skipped' } });
    expect(thirdTask.statusReason?.text).toMatch(/^Another instance of this ImagingStudy is its timeline point .*no better a view .*\(AP, .* vs PA, /);
    expect(outputsOf(thirdTask)).toEqual([`Observation/${paObservation.id}`]);
    // Idempotent: each instance again answers what it got, and nothing moves.
    expect((await upload(await instance('sp-better', uid, 2, 'PA', 71)).expect(200)).body.id).toBe(paObservation.id);
    expect((await upload(await instance('sp-better', uid, 3, 'AP', 71)).expect(200)).body.id).toBe(thirdTask.id);
    expect((await upload(await instance('sp-better', uid, 1, 'AP', 71)).expect(200)).body.id).toBe(apTask.id);
    expect(await livePointsOf(uid)).toEqual([paObservation.id]);

    // A clinician reviews the point they see, not the superseded one.
    const review = await service.http
      .post('/graphql')
      .send({ query: `mutation { reviewAssessment(input: { observationId: "${apObservation.id}", action: CONFIRM, practitionerId: "dr-rossi" }) { versionId } }` })
      .expect(200);
    expect(review.body.errors?.[0].extensions).toMatchObject({ code: 'RESOURCE.SUPERSEDED', httpStatus: 409 });
  }, 6 * SCORING_BOUND_MS);

  it('skips an instance no better than the point (the same view again), and never displaces a point a clinician reviewed', async () => {
    const uid = '2.25.97002';
    const first = await upload(await instance('sp-kept', uid, 1, 'PA', 72)).expect(201);
    const same = await upload(await instance('sp-kept', uid, 2, 'PA', 72)).expect(200);
    await expectValidR4(same.body);
    expect(same.body).toMatchObject({ resourceType: 'Task', businessStatus: { text: 'skipped' } });
    expect(same.body.statusReason.text).toMatch(/no better a view/);

    const reviewedUid = '2.25.97003';
    const ap = await upload(await instance('sp-kept', reviewedUid, 1, 'AP', 73)).expect(201);
    const review = await service.http
      .post('/graphql')
      .send({ query: `mutation { reviewAssessment(input: { observationId: "${ap.body.id}", action: CONFIRM, practitionerId: "dr-rossi" }) { status } }` })
      .expect(200);
    expect(review.body.data?.reviewAssessment.status).toBe('final');
    const pa = await upload(await instance('sp-kept', reviewedUid, 2, 'PA', 73)).expect(200);
    expect(pa.body).toMatchObject({ resourceType: 'Task', businessStatus: { text: 'skipped' } });
    expect(pa.body.statusReason.text).toMatch(/reviewed by a clinician/);
    expect(await livePointsOf(reviewedUid)).toEqual([ap.body.id]);
    expect((await timelineOf('sp-kept')).map((p) => p.observationId).sort()).toEqual([first.body.id, ap.body.id].sort());
  }, 6 * SCORING_BOUND_MS);

  it('makes the better of two instances uploaded at the same time the one point, whichever finishes first', async () => {
    for (const round of [1, 2]) {
      const uid = `2.25.9710${round}`;
      const patient = `sp-race-${round}`;
      const [apBytes, paBytes] = await Promise.all([instance(patient, uid, 1, 'AP', 80 + round), instance(patient, uid, 2, 'PA', 80 + round)]);
      const accepted = await Promise.all([upload(apBytes, 'respond-async').expect(202), upload(paBytes, 'respond-async').expect(202)]);
      const [, paTask] = await Promise.all(accepted.map((response) => waitForTask(service, taskPathOf(response), SCORING_BOUND_MS)));
      // Read the AP Task again once both ended: if it finished first, the PA one superseded it afterwards.
      const apTask = (await service.http.get(taskPathOf(accepted[0])).expect(200)).body as fhir4.Task;
      expect(paTask).toMatchObject({ status: 'completed', businessStatus: { text: 'done' } });
      const paObservation = outputsOf(paTask)[0];
      // The AP instance either found the PA point and was skipped, or was the point until the PA one superseded it.
      expect(['skipped', 'superseded']).toContain(apTask.businessStatus?.text);
      expect(outputsOf(apTask).at(-1)).toBe(paObservation);
      expect(await livePointsOf(uid)).toEqual([paObservation.replace('Observation/', '')]);
      expect((await timelineOf(patient)).map((p) => `Observation/${p.observationId}`)).toEqual([paObservation]);
    }
  }, 6 * SCORING_BOUND_MS);
});
