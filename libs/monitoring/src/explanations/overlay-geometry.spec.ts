import { ZONES, type Zone, type ZoneScore } from '@brixia/common';
import { sampleFhirConfig, sampleModel } from '@brixia/fhir/testing';
import { decodeRgbImage, pixelCorrelation, resizeGreyImage, syntheticRadiograph } from '@brixia/imaging/testing';
import { renderExplanationImages } from './explanation-images';
import { ZONE_BOXES } from './zone-heatmap';

/**
 * Where each overlay puts its heat, computed here independently of zoneHeatMap: a zone's box in the
 * aligned frame, its corners carried into the image by θ (θ maps aligned-frame points to image points,
 * both normalised to [−1, 1]): the image pixels that θ⁻¹ takes into the box.
 */
// Per-pixel loops call these locals: under Jest's sandboxed globals every `Math.x` lookup is slow.
const { hypot, max, min } = Math;

const THETA = [0.82, 0.06, 0.04, -0.05, 0.9, 0.03];
const SOURCE = { width: 700, height: 560 };
const source = { ...SOURCE, pixels: Uint8Array.from(syntheticRadiograph({ ...SOURCE, seed: 21, bitsStored: 8 }).pixels) };
const predicted: Record<Zone, ZoneScore> = { A: 1, B: 2, C: 0, D: 3, E: 1, F: 2 };

/** CAMs 8×8, positive (0.5–1, varying) in each zone's predicted-score map, negative elsewhere. */
function camTensor(): { shape: [6, 4, 8, 8]; data: Float32Array } {
  const data = new Float32Array(6 * 4 * 64).fill(-1);
  ZONES.forEach((zone, z) => {
    const offset = (z * 4 + predicted[zone]) * 64;
    for (let i = 0; i < 64; i++) data[offset + i] = 0.5 + 0.5 * (((i * 37) % 64) / 63);
  });
  return { shape: [6, 4, 8, 8], data };
}

/** The box's corners in the pixel frame of a width × height image (pixel centres at k + 0.5). */
function mappedBox(zone: Zone, width: number, height: number): Array<[number, number]> {
  const [y1, x1, y2, x2] = ZONE_BOXES[zone];
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]].map(([u, v]) => {
    const [xt, yt] = [2 * u - 1, 2 * v - 1];
    const xs = THETA[0] * xt + THETA[1] * yt + THETA[2];
    const ys = THETA[3] * xt + THETA[4] * yt + THETA[5];
    return [((xs + 1) / 2) * width, ((ys + 1) / 2) * height] as [number, number];
  });
}

/**
 * Smallest signed distance (pixels, > 0 inside) of a point to the edges of a convex polygon, as a
 * function built once per polygon (edge normals precomputed).
 */
function insideDistance(polygon: Array<[number, number]>): (x: number, y: number) => number {
  let orientation = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i];
    const [bx, by] = polygon[(i + 1) % polygon.length];
    orientation += (bx - ax) * (by + ay);
  }
  const sign = orientation < 0 ? 1 : -1;
  const edges = polygon.map(([ax, ay], i) => {
    const [bx, by] = polygon[(i + 1) % polygon.length];
    const length = hypot(bx - ax, by - ay);
    return { ax, ay, nx: (sign * -(by - ay)) / length, ny: (sign * (bx - ax)) / length };
  });
  return (x, y) => {
    let distance = Infinity;
    for (const { ax, ay, nx, ny } of edges) distance = min(distance, nx * (x - ax) + ny * (y - ay));
    return distance;
  };
}

describe('explanation overlays over the radiograph', () => {
  it('put each zone’s heat inside that zone’s box mapped through θ⁻¹, over the unchanged radiograph', async () => {
    const out = await renderExplanationImages(sampleFhirConfig, {
      observationId: 'obs-geo', patientId: 'p1', radiograph: source, scoring: { zones: predicted }, zoneCams: camTensor(),
      alignment: THETA, created: '2024-03-01T08:00:00Z', model: sampleModel,
    });
    const binaries = out.resources.filter((r): r is fhir4.Binary => r.resourceType === 'Binary');
    expect(binaries).toHaveLength(7);
    const reference = await resizeGreyImage(source, 512, 410);
    const measured: Array<{ zone: Zone; inside: number; covered: number; correlation: number }> = [];
    for (const [index, zone] of ZONES.entries()) {
      const { width, height, rgb } = await decodeRgbImage(Buffer.from(binaries[index + 1].data ?? '', 'base64'));
      expect([width, height]).toEqual([512, 410]);
      const distanceTo = insideDistance(mappedBox(zone, width, height));
      let mass = 0;
      let massInside = 0;
      let coreArea = 0;
      let coreHot = 0;
      const cold = new Uint8Array(width * height);
      const grey = new Uint8Array(width * height);
      for (let p = 0; p < width * height; p++) {
        const r = rgb[p * 3];
        const g = rgb[p * 3 + 1];
        const b = rgb[p * 3 + 2];
        const chroma = max(r, g, b) - min(r, g, b);
        const distance = distanceTo((p % width) + 0.5, ((p / width) | 0) + 0.5);
        grey[p] = r;
        mass += chroma;
        if (distance > -1.5) massInside += chroma;
        if (distance > 1.5) {
          coreArea++;
          if (chroma > 20) coreHot++;
        }
        cold[p] = chroma === 0 && distance < -1.5 ? 1 : 0;
      }
      measured.push({ zone, inside: massInside / mass, covered: coreHot / coreArea, correlation: pixelCorrelation(grey, reference.pixels, (p) => cold[p] === 1) });
    }
    // All the heat lies in the mapped box, and the box (but for its rim) is all heat.
    expect(Math.min(...measured.map((m) => m.inside))).toBeGreaterThanOrEqual(0.99);
    expect(Math.min(...measured.map((m) => m.covered))).toBeGreaterThanOrEqual(0.98);
    // Outside the heat the overlay is the radiograph at display size.
    expect(Math.min(...measured.map((m) => m.correlation))).toBeGreaterThanOrEqual(0.99);
  }, 60_000); // measured ≈ 3 s on the 2-core machine under load 12
});
