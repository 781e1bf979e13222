import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { processScoringJob } from '@brixia/scoring';
import { startService, uploadRadiograph, type TestService } from './support/service';

/**
 * Explanation images are rendered after the result is published: a worker that dies in between leaves
 * its job to be redelivered, and the redelivered job must render them (accepted work is never lost).
 */
describe('explanation images after a redelivered job (PostgreSQL)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('explanations_redelivery') });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('renders the explanation images that a worker dying after publication left undone when the job is redelivered', async () => {
    const upload = await uploadRadiograph(service, { patient: 'cxr-redo', acquired: '2024-03-06T10:00:00Z', seed: 12, width: 500, height: 500 });
    const observation = upload.body as fhir4.Observation;
    const taskId = String(upload.headers['content-location']).split('/Task/')[1]?.split('/')[0];
    const reportId = (await service.runtime.scoring.store.findTask(taskId))?.diagnosticReportId ?? '';
    const readReport = async (): Promise<fhir4.DiagnosticReport> => (await service.http.get(`/fhir/DiagnosticReport/${reportId}`).expect(200)).body as fhir4.DiagnosticReport;
    // Rendered off the request's path (≈ 1–3 s on the 2 cores under load): bounded at 60 s.
    const deadline = Date.now() + 60_000;
    while (((await readReport()).media?.length ?? 0) < 7) {
      if (Date.now() > deadline) throw new Error('explanation images not rendered after 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // The state a worker killed between publishing and rendering leaves: result out, report without images.
    const { media: _rendered, meta: _meta, ...bare } = await readReport();
    await service.runtime.scoring.store.saveResource(bare);
    expect((await readReport()).media).toBeUndefined();

    const model = service.runtime.model;
    if (!model) throw new Error('role all loads the model');
    await processScoringJob(service.runtime.scoring, model, { taskId }, { jobId: 'redelivered', retryCount: 1, retryLimit: 3 });
    const restored = await readReport();
    expect(restored.media).toHaveLength(7);
    expectValidR4(restored);
    const again = await service.http.get(`/fhir/Observation/${observation.id}`).expect(200);
    expect(again.body.meta.versionId).toBe(observation.meta?.versionId);
    const results = await service.http.get('/fhir/Observation?subject=Patient/cxr-redo').expect(200);
    expect(results.body.total).toBe(1);
    // A second redelivery finds the images in place and writes nothing.
    await processScoringJob(service.runtime.scoring, model, { taskId }, { jobId: 'redelivered-2', retryCount: 2, retryLimit: 3 });
    expect((await readReport()).meta?.versionId).toBe(restored.meta?.versionId);
  });
});
