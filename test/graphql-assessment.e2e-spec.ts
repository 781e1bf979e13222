import sharp from 'sharp';
import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, uploadRadiograph, type TestService } from './support/service';
import { graphqlClient, until } from './support/graphql';

interface Data {
  patient: { latestScore: number };
  reviewAssessment: { status: string };
  assessment: {
    taskId: string;
    global: number;
    task: fhir4.Task;
    diagnosticReport: fhir4.DiagnosticReport;
    explanationImages: Array<{ kind?: string; zone: string | null; url: string; contentType: string; mediaId: string }>;
    radiographUrl: string;
    aiScore: { global: number; zones: Array<{ zone: string; score: number }> } | null;
    zoneBoxes: Array<{ zone: string; corners: Array<{ x: number; y: number }> }>;
  };
  requestAssessment: { taskId: string; created: boolean; status: string };
  explainByOcclusion: { images: number; segments: number; forwardPasses: number };
}

/** An assessment of an upload scored by the real model, over GraphQL: read, re-request, review, explain. */
describe('GraphQL assessment of an upload (PostgreSQL, real model)', () => {
  let service: TestService;
  let gql: ReturnType<typeof graphqlClient>;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('graphql_assessment') });
    gql = graphqlClient(service);
  });

  afterAll(async () => {
    await service?.close();
  });

  it('scores an upload with the real model: assessment with Task, Observation, report and heat-map overlays', async () => {
    const upload = await uploadRadiograph(service, { patient: 'cxr-1', acquired: '2024-03-05T10:00:00Z', seed: 11 });
    const observation = upload.body as fhir4.Observation;
    // The overlays are rendered right after the result is published (off the request's critical path).
    const query = `query A($id: ID!) { assessment(observationId: $id) { taskId global task diagnosticReport explanationImages { zone url contentType mediaId } radiographUrl } }`;
    let body = await gql<Data>(query, { id: observation.id });
    await until('the explanation images', async () => {
      body = await gql<Data>(query, { id: observation.id });
      return (body.data?.assessment?.explanationImages.length ?? 0) >= 7;
    });
    expect(body.errors).toBeUndefined();
    const assessment = body.data?.assessment as Data['assessment'];
    expect(assessment.global).toBe(observation.valueInteger);
    expect(assessment.task).toMatchObject({ resourceType: 'Task', status: 'completed' });
    expect(assessment.explanationImages.map((image) => image.zone)).toEqual([null, 'A', 'B', 'C', 'D', 'E', 'F']);
    expect(assessment.diagnosticReport.media).toHaveLength(7);
    const overlay = await service.http.get(new URL(assessment.explanationImages[0].url).pathname).expect(200).expect('content-type', 'image/png');
    expect(await sharp(overlay.body as Buffer).metadata()).toMatchObject({ width: 512, height: 427, format: 'png' });
    const media = await service.http.get(`/fhir/Media/${assessment.explanationImages[1].mediaId}`).expect(200);
    expectValidR4(media.body);
    await service.http.get(new URL(assessment.radiographUrl).pathname).expect(200).expect('content-type', 'image/png');
    // the completion hook refreshed the monitoring projection
    let patient = await gql<Data>(`{ patient(id: "cxr-1") { latestScore } }`);
    await until('the monitoring projection', async () => {
      patient = await gql<Data>(`{ patient(id: "cxr-1") { latestScore } }`);
      return !patient.errors;
    });
    expect(patient.data?.patient.latestScore).toBe(observation.valueInteger);
    const studyId = observation.derivedFrom?.[0].reference?.replace('ImagingStudy/', '');
    const again = await gql<Data>(`mutation { requestAssessment(imagingStudyId: "${studyId}") { taskId created status } }`);
    expect(again.data?.requestAssessment).toEqual({ taskId: assessment.taskId, created: false, status: 'completed' });
    // The model's own values and where its zone boxes lie, before and after a clinician overrides the zones.
    const AI = `query A($id: ID!) { assessment(observationId: $id) { global aiScore { global zones { zone score } } zoneBoxes { zone corners { x y } } } }`;
    const aiZones = ['A', 'B', 'C', 'D', 'E', 'F'].map((zone) => ({
      zone,
      score: observation.component?.find((c) => c.code.coding?.some((coding) => coding.code === `zone-${zone}`))?.valueInteger,
    }));
    const before = (await gql<Data>(AI, { id: observation.id })).data?.assessment;
    expect(before?.aiScore).toEqual({ global: observation.valueInteger, zones: aiZones });
    expect(before?.zoneBoxes.map((box) => [box.zone, box.corners.length])).toEqual(['A', 'B', 'C', 'D', 'E', 'F'].map((zone) => [zone, 4]));
    // θ frames the lungs inside the image: every corner lies on (or just beyond) the radiograph, A above C and left of D.
    const [boxA, , boxC, boxD] = before?.zoneBoxes ?? [];
    for (const corner of before?.zoneBoxes.flatMap((box) => box.corners) ?? []) {
      expect(corner.x).toBeGreaterThan(-0.25);
      expect(corner.x).toBeLessThan(1.25);
      expect(corner.y).toBeGreaterThan(-0.25);
      expect(corner.y).toBeLessThan(1.25);
    }
    expect(boxA.corners[0].y).toBeLessThan(boxC.corners[0].y);
    expect(boxA.corners[0].x).toBeLessThan(boxD.corners[0].x);
    const reviewed = await gql<Data>(`mutation { reviewAssessment(input: { observationId: "${observation.id}", action: OVERRIDE, zones: { A: 3, B: 3, C: 3, D: 3, E: 3, F: 3 }, practitionerId: "dr-rossi" }) { status } }`);
    expect(reviewed.data?.reviewAssessment.status).toBe('amended');
    const after = (await gql<Data>(AI, { id: observation.id })).data?.assessment;
    expect(after?.global).toBe(18);
    expect(after?.aiScore).toEqual(before?.aiScore);
    expect(after?.zoneBoxes).toEqual(before?.zoneBoxes);
    const report = await service.http.get(`/fhir/DiagnosticReport/${assessment.diagnosticReport.id}`).expect(200);
    expect(report.body).toMatchObject({ status: 'amended', conclusion: expect.stringContaining('Clinician-reviewed Brixia 18/18') });
    expect(report.body.media).toHaveLength(7);
    // few super-pixels keep the test fast: each costs a model run
    const occlusion = await gql<Data>(`mutation { explainByOcclusion(taskId: "${assessment.taskId}", segments: 8) { images segments forwardPasses } }`);
    expect(occlusion.data?.explainByOcclusion.images).toBe(7);
    expect(occlusion.data?.explainByOcclusion.forwardPasses).toBe((occlusion.data?.explainByOcclusion.segments ?? 0) + 1);
    const nulTask = await gql<Data>(`mutation { explainByOcclusion(taskId: "a\\u0000", segments: 8) { images } }`);
    expect(nulTask.errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
    const kinds = await gql<Data>(`query A($id: ID!) { assessment(observationId: $id) { explanationImages { kind zone } } }`, { id: observation.id });
    expect(kinds.data?.assessment.explanationImages.filter((image) => image.kind === 'occlusion-overlay')).toHaveLength(7);
    const unknownStudy = await gql<Data>(`mutation { requestAssessment(imagingStudyId: "nope") { taskId } }`);
    expect(unknownStudy.errors?.[0].extensions.code).toBe('IMAGING.STUDY_NOT_FOUND');
  }, 600_000); // upload, overlays, review, occlusion (9 model runs): ≈ 10 s idle, 75–94 s measured at load average 22–25
});
