import type { Zone, ZoneScore } from '@brixia/common';
import { invertAffine, zoneBoxesInImage, zoneHeatMap, type ZoneCamTensor } from './zone-heatmap';

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

describe('zoneBoxesInImage', () => {
  it('gives the reference boxes for the identity alignment (zone A upper left, F lower right)', () => {
    const boxes = zoneBoxesInImage(IDENTITY);
    expect(boxes.map((b) => b.zone)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    const a = boxes[0].corners.map((p) => [p.x, p.y]);
    [[0, 0], [0.5, 0], [0.5, 0.4], [0, 0.4]].forEach(([x, y], i) => {
      expect(a[i][0]).toBeCloseTo(x, 10);
      expect(a[i][1]).toBeCloseTo(y, 10);
    });
    expect(boxes[5].corners[2]).toEqual({ x: 1, y: 1 });
  });

  it('carries the boxes by θ, where the heat of each zone lies (the same mapping zoneHeatMap inverts)', () => {
    const theta = [0.7, 0.1, 0.05, -0.08, 0.8, 0.1];
    const size = { width: 80, height: 60 };
    const [box] = zoneBoxesInImage(theta);
    const map = zoneHeatMap(cams(0, 1, 3), theta, { ...allZero, A: 1 }, size);
    // Inside the parallelogram (convex, corners in order): every pixel centre with heat is inside, and its centre has heat.
    const inside = (x: number, y: number): boolean =>
      box.corners.every((p, i) => {
        const q = box.corners[(i + 1) % 4];
        return (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x) >= -1e-9;
      });
    for (let py = 0; py < size.height; py++) {
      for (let px = 0; px < size.width; px++) {
        if (map.values[py * size.width + px] > 0) expect(inside((px + 0.5) / size.width, (py + 0.5) / size.height)).toBe(true);
      }
    }
    const cx = box.corners.reduce((sum, p) => sum + p.x, 0) / 4;
    const cy = box.corners.reduce((sum, p) => sum + p.y, 0) / 4;
    expect(map.values[Math.floor(cy * size.height) * size.width + Math.floor(cx * size.width)]).toBeGreaterThan(0);
    expect(() => zoneBoxesInImage([1, 0, 0])).toThrow(RangeError);
  });
});
