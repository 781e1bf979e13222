import { lungMaskEvidence } from './lung-mask-evidence';

const IDENTITY = [1, 0, 0, 0, 1, 0];

/** A 64×64 mask with probability `p` inside axis-aligned boxes [x0, y0, x1, y1) (pixels). */
function mask(boxes: readonly (readonly [number, number, number, number])[], p = 0.9, size = 64): Float32Array {
  const data = new Float32Array(size * size).fill(0.02);
  for (const [x0, y0, x1, y1] of boxes) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data[y * size + x] = p;
  return data;
}

describe('lungMaskEvidence', () => {
  it('measures area, confidence and the two lungs of a two-box mask', () => {
    const evidence = lungMaskEvidence(mask([[8, 8, 24, 48], [40, 8, 56, 40]]), 64, 64, IDENTITY);
    expect(evidence.lungAreaFraction).toBeCloseTo((16 * 40 + 16 * 32) / 4096, 6);
    expect(evidence.meanLungProbability).toBeCloseTo(0.9, 6);
    expect(evidence.components).toHaveLength(2);
    const [larger, smaller] = evidence.components;
    expect(larger.areaFraction).toBeCloseTo((16 * 40) / 4096, 6);
    expect(larger.centroidX).toBeCloseTo(16 / 64, 6);
    expect(larger.centroidY).toBeCloseTo(28 / 64, 6);
    expect(smaller.centroidX).toBeCloseTo(48 / 64, 6);
    expect(evidence.alignment).toEqual(IDENTITY);
  });

  it('ignores probabilities under one half', () => {
    const evidence = lungMaskEvidence(mask([[0, 0, 64, 64]], 0.49), 64, 64, IDENTITY);
    expect(evidence).toMatchObject({ lungAreaFraction: 0, meanLungProbability: 0, components: [] });
  });

  it('joins touching boxes into one component and keeps at most four, largest first', () => {
    expect(lungMaskEvidence(mask([[8, 8, 32, 40], [32, 8, 56, 40]]), 64, 64, IDENTITY).components).toHaveLength(1);
    const specks = Array.from({ length: 6 }, (_, i) => [i * 10, 0, i * 10 + 4 + i, 8] as const);
    const areas = lungMaskEvidence(mask(specks), 64, 64, IDENTITY).components.map((c) => c.areaFraction);
    expect(areas).toHaveLength(4);
    expect([...areas].sort((a, b) => b - a)).toEqual(areas);
  });

  it('refuses a mask of the wrong length', () => {
    expect(() => lungMaskEvidence(new Float32Array(10), 64, 64, IDENTITY)).toThrow(RangeError);
  });
});
