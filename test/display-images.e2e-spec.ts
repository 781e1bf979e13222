import { ZONES } from '@brixia/common';
import { decodeRadiograph, preprocessForBsnet, type GreyImage } from '@brixia/imaging';
import { decodeGreyImage, decodeRgbImage, displayedCorrelation, makeDicomFixture, makeRasterFixture, resizeGreyImage } from '@brixia/imaging/testing';
import { measureZoneOverlay } from '@brixia/monitoring/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, type TestService } from './support/service';

interface Assessment {
  radiographUrl: string | null;
  explanationImages: Array<{ kind: string; zone: string | null; url: string }>;
}

/** The served radiograph must show the decoded source: resized back, nearly the same pixels. */
const MIN_CORRELATION = 0.99;
/** Rendering the 7 overlays takes ≈ 1–3 s on the 2-core machine under load; the wait allows 60 s. */
const EXPLANATIONS_WAIT_MS = 60_000;

/**
 * What a viewer sees of an uploaded radiograph (GET /api/v1/images/{id}/radiograph.png and the
 * heat-map Binaries) against what the service decoded, for each input kind, with the real model.
 */
describe('displayed radiograph and overlays keep the source (PostgreSQL, real model)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('display_images') });
  });

  afterAll(async () => {
    await service?.close();
  });

  const assessmentOf = async (observationId: string): Promise<Assessment> => {
    const query = `query A($id: ID!) { assessment(observationId: $id) { radiographUrl explanationImages { kind zone url } } }`;
    const deadline = Date.now() + EXPLANATIONS_WAIT_MS;
    for (;;) {
      const body = (await service.http.post('/graphql').send({ query, variables: { id: observationId } }).expect(200)).body as { data?: { assessment: Assessment } };
      const assessment = body.data?.assessment;
      if (assessment && assessment.explanationImages.length >= 7) return assessment;
      if (Date.now() > deadline) throw new Error(`explanation images not rendered after ${EXPLANATIONS_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const get = async (url: string): Promise<Buffer> => (await service.http.get(new URL(url).pathname).expect(200).expect('content-type', 'image/png')).body as Buffer;

  const uploads: Array<[string, () => Promise<{ bytes: Buffer; filename: string; fields: Record<string, string> }>]> = [
    ['an 8-bit PNG (600×500)', async () => ({ bytes: await makeRasterFixture({ format: 'png', width: 600, height: 500, seed: 31 }), filename: 'cxr.png', fields: { patient: 'disp-png', acquired: '2024-03-05T10:00:00Z' } })],
    ['a JPEG (420×640)', async () => ({ bytes: await makeRasterFixture({ format: 'jpeg', width: 420, height: 640, seed: 32 }), filename: 'cxr.jpg', fields: { patient: 'disp-jpeg', acquired: '2024-03-05T10:00:00Z' } })],
    ['a MONOCHROME1 DICOM (700×560)', async () => ({ bytes: await makeDicomFixture({ photometric: 'MONOCHROME1', modality: 'DX', patientId: 'disp-m1', width: 700, height: 560, seed: 33 }), filename: 'cxr.dcm', fields: {} })],
    ['a MONOCHROME2 DICOM (560×700)', async () => ({ bytes: await makeDicomFixture({ photometric: 'MONOCHROME2', modality: 'DX', patientId: 'disp-m2', width: 560, height: 700, seed: 34 }), filename: 'cxr.dcm', fields: {} })],
  ];

  it.each(uploads)('%s: the served radiograph and every zone overlay show the decoded source', async (_name, make) => {
    const upload = await make();
    let request = service.http.post('/api/v1/studies').attach('file', upload.bytes, { filename: upload.filename });
    for (const [name, value] of Object.entries(upload.fields)) request = request.field(name, value);
    const observation = (await request.expect(201)).body as fhir4.Observation;
    const source: GreyImage = (await decodeRadiograph(upload.bytes)).image;
    const assessment = await assessmentOf(observation.id ?? '');

    const served = await decodeGreyImage(await get(assessment.radiographUrl ?? ''));
    expect(Math.max(served.width, served.height)).toBe(512);
    expect(served.width / served.height).toBeCloseTo(source.width / source.height, 2);
    expect(await displayedCorrelation(served, source)).toBeGreaterThanOrEqual(MIN_CORRELATION);

    // The alignment θ the service used: the same model on the same input (deterministic on the CPU).
    const model = service.runtime.model;
    if (!model) throw new Error('role all loads the model');
    const { alignment } = await model.score(preprocessForBsnet(source), { withExplanations: true });
    if (!alignment) throw new Error('the model returned no alignment');
    const reference = await resizeGreyImage(source, served.width, served.height);
    const overlays = assessment.explanationImages.filter((image) => image.kind !== 'occlusion-overlay');
    expect(overlays.map((image) => image.zone)).toEqual([null, ...ZONES]);
    let heat = 0;
    for (const zone of ZONES) {
      const overlay = await decodeRgbImage(await get(overlays.find((image) => image.zone === zone)?.url ?? ''));
      expect([overlay.width, overlay.height]).toEqual([served.width, served.height]);
      const measured = measureZoneOverlay(overlay, zone, alignment, reference);
      heat += measured.mass;
      if (measured.mass > 0) expect(measured.inside).toBeGreaterThanOrEqual(0.99);
      expect(measured.correlation).toBeGreaterThanOrEqual(MIN_CORRELATION);
    }
    expect(heat).toBeGreaterThan(0);
  });
});
