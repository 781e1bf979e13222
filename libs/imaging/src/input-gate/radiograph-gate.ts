import { AppError } from '@brixia/common';
import type { DecodedRadiograph, RadiographMetadata } from '../radiograph.types';
import { assertFrontalView } from '../view-position';
import { acquisitionProblems, type GateProblem } from './acquisition-rules';
import { imageProblems } from './image-rules';

/** The AppError of a refused image: one code, every failed rule in `details.problems`, the first one as message. */
export function notAChestRadiograph(problems: readonly GateProblem[], details: Readonly<Record<string, unknown>> = {}): AppError {
  const first = problems[0]?.message ?? 'The image is not a chest radiograph';
  return new AppError('IMAGE.NOT_A_CHEST_RADIOGRAPH', `Not a frontal chest radiograph: ${first}`, {
    details: { ...details, rules: problems.map((p) => p.rule), problems: problems.map((p) => p.message) },
  });
}

/**
 * The header part of the input gate (README.md, "Input gate"): frontal view, then the DICOM
 * rules. Cheap, so uploads run it before anything is queued.
 * Throws AppError IMAGING.NOT_FRONTAL or IMAGE.NOT_A_CHEST_RADIOGRAPH.
 */
export function assertAcceptableAcquisition(metadata: RadiographMetadata): void {
  assertFrontalView(metadata);
  const problems = acquisitionProblems(metadata);
  if (problems.length > 0) throw notAChestRadiograph(problems);
}

/**
 * The input gate on a decoded image, before the model runs: the header rules and the image's size, shape and
 * contrast. The service's worker and the CLI both call it; the model's own plausibility check
 * (@brixia/inference assertChestRadiograph) follows the model run.
 * Throws AppError IMAGING.NOT_FRONTAL or IMAGE.NOT_A_CHEST_RADIOGRAPH.
 */
export function assertScorableRadiograph(decoded: DecodedRadiograph): void {
  assertAcceptableAcquisition(decoded.metadata);
  const problems = imageProblems(decoded.image);
  if (problems.length > 0) throw notAChestRadiograph(problems, { width: decoded.image.width, height: decoded.image.height });
}
