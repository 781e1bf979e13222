import { seededRandom } from '../testing/synthetic-radiograph';
import type { GreyImage } from '../radiograph.types';
import { greyStdDev, imageProblems } from './image-rules';

function noise(width: number, height: number, seed = 1): GreyImage {
  const random = seededRandom(seed);
  return { width, height, pixels: Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256)) };
}

function rules(image: GreyImage): string[] {
  return imageProblems(image).map((p) => p.rule);
}

describe('imageProblems (size, shape and contrast rules of the input gate)', () => {
  it('passes images with a short side of 256 px or more and an aspect ratio within [0.5, 2]', () => {
    expect(rules(noise(256, 256))).toEqual([]);
    expect(rules(noise(512, 256))).toEqual([]);
    expect(rules(noise(256, 512))).toEqual([]);
  });

  it('refuses a short side under 256 px', () => {
    expect(rules(noise(255, 400))).toEqual(['short-side']);
    expect(rules(noise(1, 1))).toEqual(['short-side', 'near-constant']);
  });

  it('refuses extreme aspect ratios, both ways', () => {
    expect(rules(noise(513, 256))).toEqual(['aspect-ratio']);
    expect(rules(noise(256, 513))).toEqual(['aspect-ratio']);
    expect(rules(noise(1, 4096))).toEqual(['short-side', 'aspect-ratio']);
  });

  it('refuses near-constant images', () => {
    const flat: GreyImage = { width: 300, height: 300, pixels: new Uint8Array(300 * 300).fill(128) };
    expect(rules(flat)).toEqual(['near-constant']);
    const almost = Uint8Array.from(flat.pixels, (v, i) => v + (i % 7 === 0 ? 3 : 0));
    expect(rules({ ...flat, pixels: almost })).toEqual(['near-constant']);
  });

  it('computes the grey standard deviation', () => {
    expect(greyStdDev({ width: 2, height: 1, pixels: Uint8Array.from([0, 200]) })).toBeCloseTo(100, 6);
    expect(greyStdDev({ width: 2, height: 2, pixels: new Uint8Array(4).fill(9) })).toBe(0);
  });
});
