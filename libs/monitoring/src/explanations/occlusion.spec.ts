import type { Zone, ZoneProbabilities } from '@brixia/common';
import { occlusionMaps, resampleHeatMap } from './occlusion';

const SIZE = 512;
const predicted = { A: 1, B: 0, C: 0, D: 0, E: 0, F: 0 } as const;

/** A fake model: zone A's score-1 probability is the mean brightness of the image's upper-left quarter. */
const scorer = {
  calls: 0,
  async score(input: Float32Array): Promise<{ probabilities: Record<Zone, ZoneProbabilities> }> {
    this.calls++;
    let sum = 0;
    for (let y = 0; y < SIZE / 2; y++) for (let x = 0; x < SIZE / 2; x++) sum += input[y * SIZE + x];
    const a = sum / (SIZE * SIZE) * 4;
    const flat: ZoneProbabilities = [1, 0, 0, 0];
    return { probabilities: { A: [1 - a, a, 0, 0], B: flat, C: flat, D: flat, E: flat, F: flat } };
  },
};

describe('occlusionMaps', () => {
  it('attributes zone A to the super-pixels whose occlusion lowers its predicted score, one pass each', async () => {
    const input = new Float32Array(SIZE * SIZE).fill(0.5);
    const result = await occlusionMaps(scorer, input, predicted, { segments: 16 });
    expect(result.forwardPasses).toBe(result.segments + 1);
    expect(scorer.calls).toBe(result.forwardPasses);
    const a = result.maps.A;
    expect(a.values[10 * 128 + 10]).toBeGreaterThan(0.5); // upper-left
    expect(a.values[100 * 128 + 100]).toBe(0); // lower-right: occluding it changes nothing
    expect(Math.max(...result.maps.B.values)).toBe(0);
  });

  it('resamples a map bilinearly onto another size', () => {
    const map = resampleHeatMap({ width: 2, height: 1, values: new Float32Array([0, 1]) }, 4, 1);
    expect([...map.values]).toEqual([0, 0.25, 0.75, 1]);
  });
});
