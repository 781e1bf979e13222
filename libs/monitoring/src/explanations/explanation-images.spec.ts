import sharp from 'sharp';
import { expectValidR4, sampleFhirConfig, sampleModel, sampleScoring } from '@brixia/fhir/testing';
import { renderExplanationImages } from './explanation-images';
import { startExplanationRenderPool } from './explanation-render-pool';

const radiograph = { width: 600, height: 500, pixels: new Uint8Array(600 * 500).map((_, i) => (i % 600) % 256) };
// zone A's map for its predicted score (2) is hot; everything else cold
const data = new Float32Array(6 * 4 * 4 * 4);
data.fill(3, (0 * 4 + 2) * 16, (0 * 4 + 2) * 16 + 16);

describe('renderExplanationImages', () => {
  it('renders an all-zones overlay and one per zone as PNG Binary + Media linked for the report', async () => {
    const out = await renderExplanationImages(sampleFhirConfig, {
      observationId: 'obs-1',
      patientId: 'p1',
      radiograph,
      scoring: sampleScoring,
      zoneCams: { shape: [6, 4, 4, 4], data },
      alignment: [1, 0, 0, 0, 1, 0],
      created: '2024-03-01T08:00:00Z',
      model: sampleModel,
    });
    expect(out.resources).toHaveLength(14);
    expect(out.reportMedia.map((m) => m.comment)).toEqual(['Heat map: all Brixia zones', ...['A', 'B', 'C', 'D', 'E', 'F'].map((z) => `Heat map: Brixia zone ${z}`)]);
    const media = out.resources.filter((r): r is fhir4.Media => r.resourceType === 'Media');
    const binaries = out.resources.filter((r): r is fhir4.Binary => r.resourceType === 'Binary');
    expect(media[1].content.url).toBe(`${sampleFhirConfig.baseUrl}/Binary/${binaries[1].id}`);
    for (const resource of [media[0], binaries[0]]) expectValidR4(resource);
    const png = Buffer.from(binaries[1].data ?? '', 'base64');
    const { data: pixels, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([512, 427, 3]);
    // zone A (upper image-left) is coloured, zone D's side is plain grey (r = g = b)
    const rgbAt = (x: number, y: number): number[] => [...pixels.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [r, g, b] = rgbAt(100, 80);
    expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeGreaterThan(40);
    const [r2, g2, b2] = rgbAt(400, 80);
    expect([r2 - g2, g2 - b2]).toEqual([0, 0]);
  });
});

describe('startExplanationRenderPool', () => {
  it('renders in a thread exactly what the calling thread renders', async () => {
    const request = {
      observationId: 'obs-2',
      patientId: 'p2',
      radiograph,
      scoring: sampleScoring,
      zoneCams: { shape: [6, 4, 4, 4] as const, data },
      alignment: [1, 0, 0, 0, 1, 0],
      created: '2024-03-01T08:00:00Z',
      model: sampleModel,
    };
    const pool = await startExplanationRenderPool({ fhir: sampleFhirConfig, threads: 1, niceIncrement: 5 });
    try {
      const [threaded, local] = await Promise.all([pool.render(request), renderExplanationImages(sampleFhirConfig, request)]);
      expect(threaded.resources).toEqual(local.resources);
      expect(threaded.reportMedia).toEqual(local.reportMedia);
      expect(radiograph.pixels.byteLength).toBe(600 * 500); // copied in, the caller keeps its image
    } finally {
      await pool.close();
    }
  }, 180_000); // the thread compiles its TypeScript first: wide bound on a shared machine
});
