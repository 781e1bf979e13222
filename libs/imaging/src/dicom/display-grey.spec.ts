import { applyWindow, displayLut } from './display-grey';
import type { GreyTransforms } from './grey-transforms';

const identity: GreyTransforms = { rescaleSlope: 1, rescaleIntercept: 0, voiLutFunction: 'LINEAR', presentationInverse: false };

describe('VOI window functions (PS3.3 C.11.2.1.2–3)', () => {
  it('LINEAR: c=100, w=21 maps [89.5 .. 110.5] onto 0..255', () => {
    const window = { center: 100, width: 21 };
    expect(applyWindow(89, window, 'LINEAR')).toBe(0); // x ≤ c − 0.5 − (w−1)/2 = 89.5
    expect(applyWindow(99.5, window, 'LINEAR')).toBeCloseTo(127.5, 10); // the midpoint c − 0.5
    expect(applyWindow(109.5, window, 'LINEAR')).toBeCloseTo(255, 10); // upper edge c − 0.5 + (w−1)/2
    expect(applyWindow(110, window, 'LINEAR')).toBe(255);
    expect(applyWindow(0, { center: 0, width: 0.5 }, 'LINEAR')).toBeUndefined();
  });

  it('LINEAR_EXACT: c=100, w=20 maps [90 .. 110] onto 0..255', () => {
    const window = { center: 100, width: 20 };
    expect(applyWindow(90, window, 'LINEAR_EXACT')).toBe(0);
    expect(applyWindow(95, window, 'LINEAR_EXACT')).toBeCloseTo(63.75, 10);
    expect(applyWindow(100, window, 'LINEAR_EXACT')).toBeCloseTo(127.5, 10);
    expect(applyWindow(111, window, 'LINEAR_EXACT')).toBe(255);
  });

  it('SIGMOID: 255 / (1 + exp(−4(x − c)/w))', () => {
    const window = { center: 100, width: 20 };
    expect(applyWindow(100, window, 'SIGMOID')).toBeCloseTo(127.5, 10);
    expect(applyWindow(105, window, 'SIGMOID')).toBeCloseTo(255 / (1 + Math.exp(-1)), 10);
    expect(applyWindow(0, { center: 0, width: 0 }, 'SIGMOID')).toBeUndefined();
  });
});

describe('displayLut (Modality LUT → VOI → polarity → 8 bits)', () => {
  it('falls back to min–max of the modality values and rounds', () => {
    const lut = displayLut(10, 14, identity, false);
    expect([...lut]).toEqual([0, 64, 128, 191, 255]); // 0, 63.75, 127.5, 191.25, 255 rounded
  });

  it('inverts MONOCHROME1, and Presentation LUT Shape INVERSE undoes it', () => {
    expect([...displayLut(10, 14, identity, true)]).toEqual([255, 191, 127, 64, 0]);
    expect([...displayLut(10, 14, { ...identity, presentationInverse: true }, true)]).toEqual([0, 64, 128, 191, 255]);
  });

  it('applies Rescale Slope/Intercept before the window', () => {
    // stored 0..4 → modality −1000, −998, … −992; window c=−996 w=5 (LINEAR) spans −998.5 .. −994.5.
    const transforms: GreyTransforms = { ...identity, rescaleSlope: 2, rescaleIntercept: -1000, window: { center: -996, width: 5 } };
    const lut = displayLut(0, 4, transforms, false);
    const expected = [-1000, -998, -996, -994, -992].map((x) => Math.round(applyWindow(x, { center: -996, width: 5 }, 'LINEAR') ?? NaN));
    expect([...lut]).toEqual(expected);
    expect([...lut]).toEqual([0, 32, 159, 255, 255]);
  });

  it('uses the VOI LUT sequence before the window, clamping outside its input range', () => {
    const voiLut = { firstMapped: 1, bits: 8, data: Uint16Array.of(0, 100, 255) };
    const lut = displayLut(0, 4, { ...identity, voiLut, window: { center: 0, width: 1 } }, false);
    expect([...lut]).toEqual([0, 0, 100, 255, 255]);
  });

  it('maps a Modality LUT sequence instead of the rescale', () => {
    const modalityLut = { firstMapped: 0, bits: 12, data: Uint16Array.of(4000, 2000, 0) };
    const lut = displayLut(0, 2, { ...identity, modalityLut, rescaleSlope: 99 }, false);
    expect([...lut]).toEqual([255, 128, 0]);
  });

  it('ignores an unusable window (width 0) and uses min–max instead', () => {
    const lut = displayLut(0, 2, { ...identity, window: { center: 1, width: 0 } }, false);
    expect([...lut]).toEqual([0, 128, 255]);
  });

  it('maps a constant image to black rather than dividing by zero', () => {
    expect([...displayLut(7, 7, identity, false)]).toEqual([0]);
  });
});
