import { imagingError } from '../imaging.errors';
import type { GreyImage } from '../radiograph.types';
import type { GreyTransforms, LookupTable, VoiLutFunction, WindowSetting } from './grey-transforms';
import type { StoredFrame } from './stored-values';

// Hot loops call these locals: under Jest's sandboxed globals every `Math.x` lookup costs ~0.3 µs.
const { round, min, max, exp } = Math;

const Y_MAX = 255;

function lookUp(lut: LookupTable, value: number): number {
  const index = min(lut.data.length - 1, max(0, round(value) - lut.firstMapped));
  return lut.data[index];
}

/**
 * Window → [0, 255] (PS3.3 C.11.2.1.2 for LINEAR, C.11.2.1.3 for LINEAR_EXACT and SIGMOID), unrounded.
 * Undefined when the width is invalid for the function (LINEAR needs ≥ 1, the others > 0).
 */
export function applyWindow(x: number, window: WindowSetting, fn: VoiLutFunction): number | undefined {
  const { center: c, width: w } = window;
  switch (fn) {
    case 'LINEAR': {
      if (!(w >= 1)) return undefined;
      if (x <= c - 0.5 - (w - 1) / 2) return 0;
      if (x > c - 0.5 + (w - 1) / 2) return Y_MAX;
      return ((x - (c - 0.5)) / (w - 1) + 0.5) * Y_MAX;
    }
    case 'LINEAR_EXACT': {
      if (!(w > 0)) return undefined;
      if (x <= c - w / 2) return 0;
      if (x > c + w / 2) return Y_MAX;
      return ((x - c) / w + 0.5) * Y_MAX;
    }
    case 'SIGMOID': {
      if (!(w > 0)) return undefined;
      return Y_MAX / (1 + exp((-4 * (x - c)) / w));
    }
  }
}

/** Rounds to the nearest grey level and applies the display polarity. */
function toGreyLevel(y: number, invert: boolean): number {
  const level = round(min(Y_MAX, max(0, y)));
  return invert ? Y_MAX - level : level;
}

/**
 * Stored value → 8-bit display grey for every value the frame can hold (PS3.3 C.11, figure C.11-1):
 * Modality LUT (sequence, else Rescale Slope/Intercept) → VOI (VOI LUT sequence, else the first Window
 * Center/Width with its VOI LUT Function, else min–max of the modality values) → MONOCHROME1 / Presentation
 * LUT Shape INVERSE inversion. Index = stored value − `minStored`.
 */
export function displayLut(minStored: number, maxStored: number, transforms: GreyTransforms, monochrome1: boolean): Uint8Array {
  const size = maxStored - minStored + 1;
  const modality = new Float64Array(size);
  let minModality = Infinity;
  let maxModality = -Infinity;
  for (let i = 0; i < size; i++) {
    const stored = minStored + i;
    const value = transforms.modalityLut
      ? lookUp(transforms.modalityLut, stored)
      : stored * transforms.rescaleSlope + transforms.rescaleIntercept;
    modality[i] = value;
    if (value < minModality) minModality = value;
    if (value > maxModality) maxModality = value;
  }
  const invert = monochrome1 !== transforms.presentationInverse;
  const lut = new Uint8Array(size);
  const { voiLut, window } = transforms;
  // An invalid width (e.g. 0) makes the window unusable; fall back to min–max rather than a blank image.
  const windowUsable = window !== undefined && applyWindow(window.center, window, transforms.voiLutFunction) !== undefined;
  for (let i = 0; i < size; i++) {
    const x = modality[i];
    let y: number;
    if (voiLut) {
      y = (lookUp(voiLut, x) / (2 ** voiLut.bits - 1)) * Y_MAX;
    } else if (window !== undefined && windowUsable) {
      y = applyWindow(x, window, transforms.voiLutFunction) ?? 0;
    } else {
      y = maxModality > minModality ? ((x - minModality) / (maxModality - minModality)) * Y_MAX : 0;
    }
    lut[i] = toGreyLevel(y, invert);
  }
  return lut;
}

function greyFromMonochrome(frame: StoredFrame, transforms: GreyTransforms): GreyImage {
  const { values, width, height } = frame;
  let lowest = values[0];
  let highest = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < lowest) lowest = v;
    else if (v > highest) highest = v;
  }
  const lut = displayLut(lowest, highest, transforms, frame.photometricInterpretation === 'MONOCHROME1');
  const pixels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) pixels[i] = lut[values[i] - lowest];
  return { width, height, pixels };
}

/**
 * Colour (rare for radiographs, e.g. secondary captures): RGB-like data → ITU-R 601 luma with PIL's integer
 * weights (what `Image.convert('L')` gives); YBR_FULL → its Y plane. Samples above 8 bits are scaled first.
 */
function greyFromColour(frame: StoredFrame, bitsStored: number): GreyImage {
  const { values, width, height, photometricInterpretation } = frame;
  const scale = bitsStored > 8 ? Y_MAX / (2 ** bitsStored - 1) : 1;
  const to8 = (v: number): number => min(Y_MAX, max(0, round(v * scale)));
  const pixels = new Uint8Array(width * height);
  if (photometricInterpretation === 'YBR_FULL') {
    for (let p = 0; p < pixels.length; p++) pixels[p] = to8(values[p * 3]);
  } else if (['RGB', 'YBR_ICT', 'YBR_RCT'].includes(photometricInterpretation)) {
    // JPEG 2000 decoders undo the ICT/RCT component transform, so those arrive as RGB.
    for (let p = 0; p < pixels.length; p++) {
      const r = to8(values[p * 3]);
      const g = to8(values[p * 3 + 1]);
      const b = to8(values[p * 3 + 2]);
      pixels[p] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }
  } else {
    throw imagingError('IMAGING.UNREADABLE', 'This colour encoding of uncompressed pixels is not supported', undefined, {
      photometricInterpretation,
    });
  }
  return { width, height, pixels };
}

/** A decoded frame as an 8-bit display-polarity grey image. */
export function toDisplayGrey(frame: StoredFrame, transforms: GreyTransforms, bitsStored: number): GreyImage {
  return frame.components === 1 ? greyFromMonochrome(frame, transforms) : greyFromColour(frame, bitsStored);
}
