import type { GreyImage } from '../radiograph.types';
import type { GateProblem } from './acquisition-rules';

/**
 * Limits on the decoded image itself. The model sees a 512×512 bilinear stretch (docs/model-contract.md,
 * "bsnet-v1 preprocessing"): below 256 px on the short side the lungs are upsampled more than 2× and fine
 * interstitial patterns are gone; beyond an aspect ratio of 2 the stretch distorts the anatomy more than any
 * chest film does (portrait and landscape films are within about 0.7–1.4). An image whose grey levels barely
 * vary holds no anatomy at all.
 */
export const IMAGE_RULES = {
  minShortSide: 256,
  minAspectRatio: 0.5,
  maxAspectRatio: 2,
  /**
   * Standard deviation of the 8-bit display grey below which an image counts as near-constant. Low on
   * purpose: washed-out films (grey 239–255, standard deviation 3.0) are still scored, since the model's
   * histogram equalisation restores their contrast.
   */
  minGreyStdDev: 2,
} as const;

/** Standard deviation of the display grey levels, from the 256-bin histogram. */
export function greyStdDev(image: GreyImage): number {
  const histogram = new Float64Array(256);
  const { pixels } = image;
  for (let i = 0; i < pixels.length; i++) histogram[pixels[i]]++;
  let mean = 0;
  for (let g = 0; g < 256; g++) mean += g * histogram[g];
  mean /= pixels.length;
  let variance = 0;
  for (let g = 0; g < 256; g++) variance += histogram[g] * (g - mean) * (g - mean);
  return Math.sqrt(variance / pixels.length);
}

/** Size, shape and contrast rules for any image, DICOM or not. */
export function imageProblems(image: GreyImage): GateProblem[] {
  const { width, height } = image;
  const problems: GateProblem[] = [];
  const shortSide = Math.min(width, height);
  if (shortSide < IMAGE_RULES.minShortSide) {
    problems.push({ rule: 'short-side', message: `The image is ${width}×${height} px; the short side must be at least ${IMAGE_RULES.minShortSide} px` });
  }
  const aspect = width / height;
  if (aspect < IMAGE_RULES.minAspectRatio || aspect > IMAGE_RULES.maxAspectRatio) {
    problems.push({ rule: 'aspect-ratio', message: `The image is ${width}×${height} px; width/height must be within [${IMAGE_RULES.minAspectRatio}, ${IMAGE_RULES.maxAspectRatio}]` });
  }
  if (image.pixels.length > 0 && greyStdDev(image) < IMAGE_RULES.minGreyStdDev) {
    problems.push({ rule: 'near-constant', message: 'The image is nearly uniform: it holds no anatomy to score' });
  }
  return problems;
}
