import { slicSuperpixels } from './superpixels';

describe('slicSuperpixels', () => {
  const width = 64;
  const height = 64;
  // left half dark, right half bright
  const values = new Float32Array(width * height).map((_, p) => (p % width < 32 ? 0.1 : 0.9));

  it('makes about the asked number of segments, covering every pixel', () => {
    const result = slicSuperpixels({ width, height, values }, { segments: 16 });
    expect(result.count).toBeGreaterThanOrEqual(12);
    expect(result.count).toBeLessThanOrEqual(20);
    expect(Math.min(...result.labels)).toBe(0);
    expect(Math.max(...result.labels)).toBe(result.count - 1);
  });

  it('does not let a segment straddle a strong intensity edge', () => {
    const { labels } = slicSuperpixels({ width, height, values }, { segments: 16 });
    const left = new Set<number>();
    const right = new Set<number>();
    labels.forEach((label, p) => (p % width < 32 ? left : right).add(label));
    expect([...left].filter((label) => right.has(label))).toEqual([]);
  });
});
