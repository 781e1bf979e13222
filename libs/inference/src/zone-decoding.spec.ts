import { ZONES } from '@brixia/common';
import { decodeZoneProbabilities, expectedGlobalScore } from './zone-decoding';

/** Builds a [n, 6, 4] buffer from per-image rows given in zone order A..F. */
function zoneProbs(images: number[][][]): Float32Array {
  return Float32Array.from(images.flat(2));
}

const imageOne = [
  [0.7, 0.1, 0.1, 0.1], // A → 0
  [0.1, 0.6, 0.2, 0.1], // B → 1
  [0.1, 0.2, 0.6, 0.1], // C → 2
  [0.05, 0.05, 0.1, 0.8], // D → 3
  [0.25, 0.25, 0.4, 0.1], // E → 2
  [0.1, 0.5, 0.3, 0.1], // F → 1
];
const imageTwo = Array.from({ length: 6 }, () => [0.1, 0.1, 0.1, 0.7]);

describe('decodeZoneProbabilities', () => {
  it('reads rows in zone order A..F and takes the arg-max of each', () => {
    const scoring = decodeZoneProbabilities(zoneProbs([imageOne]), 0);
    expect(scoring.zones).toEqual({ A: 0, B: 1, C: 2, D: 3, E: 2, F: 1 });
    expect(scoring.global).toBe(9);
    expect(Object.keys(scoring.probabilities)).toEqual([...ZONES]);
    expect(scoring.probabilities.D[3]).toBeCloseTo(0.8, 6);
  });

  it('picks the right image of a batch', () => {
    const buffer = zoneProbs([imageOne, imageTwo]);
    expect(decodeZoneProbabilities(buffer, 1).global).toBe(18);
    expect(decodeZoneProbabilities(buffer, 1).zones.A).toBe(3);
    expect(decodeZoneProbabilities(buffer, 0).global).toBe(9);
  });

  it('reads the median of each row when the manifest asks for it: least expected absolute error', () => {
    const rows = [
      [0.4, 0.05, 0.05, 0.5], // arg-max 3, median 2
      [0.6, 0.2, 0.1, 0.1], // 0 either way
      [0.25, 0.25, 0.25, 0.25], // cumulative reaches 0.5 at 1
      [0.1, 0.1, 0.1, 0.7], // 3 either way
      [0.3, 0.1, 0.3, 0.3], // arg-max 0 (tie to the lower), median 2
      [0.0, 0.0, 0.0, 1.0],
    ];
    const median = decodeZoneProbabilities(zoneProbs([rows]), 0, 'median');
    expect(median.zones).toEqual({ A: 2, B: 0, C: 1, D: 3, E: 2, F: 3 });
    expect(median.global).toBe(11);
    expect(decodeZoneProbabilities(zoneProbs([rows]), 0, 'argmax').zones).toEqual({ A: 3, B: 0, C: 0, D: 3, E: 0, F: 3 });
    // The median minimises Σ_k p_k·|k − s| over s, which is what makes it the MAE decision.
    const expectedError = (p: number[], s: number): number => p.reduce((sum, pk, k) => sum + pk * Math.abs(k - s), 0);
    rows.forEach((p, z) => {
      const chosen = Object.values(median.zones)[z];
      for (let s = 0; s < 4; s++) expect(expectedError(p, chosen)).toBeLessThanOrEqual(expectedError(p, s) + 1e-9);
    });
  });

  it('gives ties to the lower score', () => {
    const tied = Array.from({ length: 6 }, () => [0.25, 0.25, 0.25, 0.25]);
    expect(decodeZoneProbabilities(zoneProbs([tied]), 0).global).toBe(0);
  });

  it('refuses an index outside the buffer', () => {
    expect(() => decodeZoneProbabilities(zoneProbs([imageOne]), 1)).toThrow(RangeError);
    expect(() => decodeZoneProbabilities(zoneProbs([imageOne]), -1)).toThrow(RangeError);
  });
});

describe('expectedGlobalScore', () => {
  it('sums k·p_k over zones', () => {
    const { probabilities } = decodeZoneProbabilities(zoneProbs([imageTwo]), 0);
    // Each zone: 0.1·1 + 0.1·2 + 0.7·3 = 2.4; six zones.
    expect(expectedGlobalScore(probabilities)).toBeCloseTo(14.4, 5);
  });
});
