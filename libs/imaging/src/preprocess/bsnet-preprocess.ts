import { imagingError } from '../imaging.errors';
import type { GreyImage } from '../radiograph.types';
import { resampleColumns, resampleGreyRows, triangleAxisWeights } from './triangle-resample';

// Hot loops call these locals: under Jest's sandboxed globals every `Math.x` lookup costs ~0.3 µs.
const { floor, min, max } = Math;

/** Identifies this exact preprocessing in model manifests and results; change it when the maths change. */
export const PREPROCESSING_ID = 'bsnet-v1';
/** BS-Net takes a 512×512×1 input (Signoroni et al. 2021, section 3). */
export const MODEL_INPUT_SIZE = 512;

/** Histogram levels of the reference code's equalisation (docs/model-contract.md "bsnet-v1 preprocessing": 4096 bins). */
const EQUALISATION_LEVELS = 4096;
const MAX_LEVEL = EQUALISATION_LEVELS - 1;

/** x = G / 255 for every 8-bit grey level, computed once. */
const UNIT_GREY = Float64Array.from({ length: 256 }, (_, g) => g / 255.0);

function assertImage(image: GreyImage): void {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length !== width * height) {
    throw imagingError('IMAGING.NO_PIXELS', 'The image has no pixels or its size does not match its pixel count', undefined, {
      width,
      height,
      pixelCount: pixels.length,
    });
  }
}

/**
 * PIL `ImageOps.equalize` generalised from 256 to 4096 levels: a LUT from the cumulative histogram with
 * step = (total − count of the last non-empty level) // levels, identity when the step is 0.
 */
export function equalisationLut(histogram: Uint32Array): Uint16Array {
  const lut = new Uint16Array(EQUALISATION_LEVELS);
  let last = MAX_LEVEL;
  while (last > 0 && histogram[last] === 0) last--;
  let total = 0;
  for (let i = 0; i < EQUALISATION_LEVELS; i++) total += histogram[i];
  const step = floor((total - histogram[last]) / EQUALISATION_LEVELS);
  if (step === 0) {
    for (let i = 0; i < EQUALISATION_LEVELS; i++) lut[i] = i;
    return lut;
  }
  let n = floor(step / 2);
  for (let i = 0; i < EQUALISATION_LEVELS; i++) {
    lut[i] = min(MAX_LEVEL, floor(n / step));
    n += histogram[i];
  }
  return lut;
}

/**
 * bsnet-v1, the reference code's preprocessing (docs/model-contract.md "bsnet-v1 preprocessing"):
 * 1. x = G/255; 2. PIL triangle resize to 512×512 (horizontal pass, then vertical), no aspect padding;
 * 3. global equalisation over 4096 levels; 4. divide by the maximum. Computed in float64, returned as
 * 512·512 float32 in [0, 1], row-major.
 */
export function preprocessForBsnet(image: GreyImage): Float32Array {
  assertImage(image);
  const { width, height, pixels } = image;
  const horizontal = resampleGreyRows(pixels, width, height, triangleAxisWeights(width, MODEL_INPUT_SIZE), UNIT_GREY);
  const resized = resampleColumns(horizontal, MODEL_INPUT_SIZE, triangleAxisWeights(height, MODEL_INPUT_SIZE));

  const levels = new Uint16Array(resized.length);
  const histogram = new Uint32Array(EQUALISATION_LEVELS);
  for (let i = 0; i < resized.length; i++) {
    const level = min(MAX_LEVEL, max(0, floor(resized[i] * MAX_LEVEL + 0.5)));
    levels[i] = level;
    histogram[level]++;
  }
  const lut = equalisationLut(histogram);

  let maxValue = 0;
  for (let level = 0; level < EQUALISATION_LEVELS; level++) {
    if (histogram[level] > 0 && lut[level] > maxValue) maxValue = lut[level];
  }
  const output = new Float32Array(resized.length);
  if (maxValue === 0) return output;
  for (let i = 0; i < output.length; i++) output[i] = lut[levels[i]] / maxValue;
  return output;
}
