import type { Zone, ZoneScore } from '@brixia/common';
import { invertAffine, zoneHeatMap, type ZoneCamTensor } from './zone-heatmap';

const IDENTITY = [1, 0, 0, 0, 1, 0];
const allZero: Record<Zone, ZoneScore> = { A: 0, B: 0, C: 0, D: 0, E: 0, F: 0 };

/** CAMs of 2×2 per zone/class, with `value` everywhere in zone `zone`'s class `score` map. */
function cams(zone: number, score: number, value: number): ZoneCamTensor {
  const data = new Float32Array(6 * 4 * 4);
  data.fill(value, (zone * 4 + score) * 4, (zone * 4 + score) * 4 + 4);
  return { shape: [6, 4, 2, 2], data };
}

describe('invertAffine', () => {
  it('inverts scale, rotation and shift', () => {
    const theta = [0.8, -0.2, 0.1, 0.3, 0.9, -0.05];
    const inv = invertAffine(theta);
    const [x, y] = [0.3, -0.4];
    const sx = theta[0] * x + theta[1] * y + theta[2];
    const sy = theta[3] * x + theta[4] * y + theta[5];
    expect(inv[0] * sx + inv[1] * sy + inv[2]).toBeCloseTo(x, 10);
    expect(inv[3] * sx + inv[4] * sy + inv[5]).toBeCloseTo(y, 10);
  });

  it('refuses a singular θ', () => {
    expect(() => invertAffine([1, 2, 0, 2, 4, 0])).toThrow(RangeError);
  });
});

describe('zoneHeatMap', () => {
  it('puts zone A (right upper, image-left) in the upper-left box with the identity alignment', () => {
    const map = zoneHeatMap(cams(0, 2, 5), IDENTITY, { ...allZero, A: 2 }, { width: 10, height: 10 });
    const at = (x: number, y: number): number => map.values[y * 10 + x];
    expect(at(1, 1)).toBeCloseTo(1);
    expect(at(8, 1)).toBe(0); // zone D side
    expect(at(1, 8)).toBe(0); // zone C rows
  });

  it('uses the map of the predicted score only', () => {
    const map = zoneHeatMap(cams(0, 2, 5), IDENTITY, { ...allZero, A: 1 }, { width: 10, height: 10 });
    expect(Math.max(...map.values)).toBe(0);
  });

  it('warps back with θ⁻¹: a zoom-in alignment shrinks the zone in the image frame', () => {
    // θ = 0.5·I: the aligned frame shows the central half of the image, so box A lands in the
    // upper-left of that central region.
    const map = zoneHeatMap(cams(0, 0, 1), [0.5, 0, 0, 0, 0.5, 0], allZero, { width: 20, height: 20 });
    const at = (x: number, y: number): number => map.values[y * 20 + x];
    expect(at(1, 1)).toBe(0);
    expect(at(6, 6)).toBeCloseTo(1);
    expect(at(12, 6)).toBe(0);
  });

  it('keeps only the chosen zones', () => {
    const map = zoneHeatMap(cams(3, 0, 1), IDENTITY, allZero, { width: 10, height: 10 }, ['A']);
    expect(Math.max(...map.values)).toBe(0);
  });
});
