import { AppError } from '@brixia/common';
import type { LungMaskEvidence } from './lung-mask-evidence';

/**
 * Thresholds on the model's own lung mask and alignment θ, chosen on data by
 * bench/input-gate-calibration.ts (README.md, "Input gate"): every real frontal chest radiograph of the
 * calibration sets lies inside them, with a margin.
 */
export const CHEST_PLAUSIBILITY = {
  /** Fraction of the 512×512 frame the thresholded mask covers (chest sets: 0.186–0.575). */
  minLungAreaFraction: 0.12,
  maxLungAreaFraction: 0.7,
  /** Mean sigmoid over the mask: the decoder is sure where it sees lungs (chest sets: ≥ 0.879). */
  minMeanLungProbability: 0.85,
  /** Two lungs: the smaller of the two largest regions is at least this fraction of the larger (chest sets: ≥ 0.356, or ≤ 0.03 when merged)... */
  minLungBalance: 0.33,
  /** ...and covers at least this fraction of the frame (chest sets: ≥ 0.063)... */
  minLungComponentFraction: 0.04,
  /** ...and their centroids lie on either side of the vertical midline, at least this far apart (chest sets: ≥ 0.283). */
  minLungSeparation: 0.2,
  /**
   * Lungs the mask joins into one region (across the mediastinum; or one lung whited out by consolidation):
   * any second region is at most this fraction of it (chest sets: ≤ 0.03; skull phantoms ≥ 0.1), the region
   * covers this range of the frame (chest sets: 0.21–0.55, 1 of 11 above 0.5; generated photographs and
   * smooth noise ≥ 0.546) and its centroid lies within this distance of the midline (chest sets: ≤ 0.10).
   */
  maxMergedLungBalance: 0.05,
  minMergedLungFraction: 0.18,
  maxMergedLungFraction: 0.5,
  maxMergedLungOffset: 0.12,
  /** θ's diagonal (zoom of the aligned frame, identity = 1; chest sets 0.471–1.073) and off-diagonal (rotation/shear, ≤ 0.163), translation (≤ 0.411). */
  minAlignmentScale: 0.4,
  maxAlignmentScale: 1.2,
  maxAlignmentShear: 0.3,
  maxAlignmentShift: 0.5,
} as const;

export type ChestPlausibilityThresholds = { readonly [K in keyof typeof CHEST_PLAUSIBILITY]: number };

/** One failed plausibility rule. */
export interface PlausibilityProblem {
  readonly rule: string;
  readonly message: string;
}

function lungProblems(evidence: LungMaskEvidence, t: ChestPlausibilityThresholds): PlausibilityProblem[] {
  const problems: PlausibilityProblem[] = [];
  const area = evidence.lungAreaFraction;
  if (area < t.minLungAreaFraction || area > t.maxLungAreaFraction) {
    problems.push({ rule: 'lung-area', message: `the lung mask covers ${(area * 100).toFixed(1)} % of the image` });
  }
  if (evidence.meanLungProbability < t.minMeanLungProbability) {
    problems.push({ rule: 'lung-confidence', message: 'the lung segmentation is unsure where the lungs are' });
  }
  const [first, second] = evidence.components;
  if (first === undefined) {
    problems.push({ rule: 'two-lungs', message: 'the lung mask does not show two lungs' });
    return problems;
  }
  const balance = second === undefined ? 0 : second.areaFraction / first.areaFraction;
  if (second === undefined || balance <= t.maxMergedLungBalance) {
    // One region only: plausible as both lungs joined across the midline, of a lung-like size.
    const central = Math.abs(first.centroidX - 0.5) <= t.maxMergedLungOffset;
    if (!central || first.areaFraction < t.minMergedLungFraction || first.areaFraction > t.maxMergedLungFraction) {
      problems.push({ rule: 'two-lungs', message: 'the lung mask does not show two lungs' });
    }
    return problems;
  }
  if (balance < t.minLungBalance) {
    problems.push({ rule: 'lung-balance', message: 'one lung region is far smaller than the other' });
    return problems;
  }
  const [left, right] = first.centroidX <= second.centroidX ? [first, second] : [second, first];
  if (second.areaFraction < t.minLungComponentFraction) {
    problems.push({ rule: 'two-lungs', message: 'the lung mask does not show two lungs' });
  } else if (!(left.centroidX < 0.5 && right.centroidX > 0.5) || right.centroidX - left.centroidX < t.minLungSeparation) {
    problems.push({ rule: 'lung-sides', message: 'the two lung regions are not on either side of the midline' });
  }
  return problems;
}

function alignmentProblems(theta: readonly number[], t: ChestPlausibilityThresholds): PlausibilityProblem[] {
  const [a, b, tx, c, d, ty] = theta;
  const scales = [a, d];
  const plausible =
    theta.length === 6 &&
    theta.every(Number.isFinite) &&
    scales.every((s) => s >= t.minAlignmentScale && s <= t.maxAlignmentScale) &&
    Math.abs(b) <= t.maxAlignmentShear &&
    Math.abs(c) <= t.maxAlignmentShear &&
    Math.abs(tx) <= t.maxAlignmentShift &&
    Math.abs(ty) <= t.maxAlignmentShift;
  return plausible ? [] : [{ rule: 'alignment', message: 'the alignment network finds no lung field to frame' }];
}

/**
 * Whether the model's lung mask and θ look like those of a frontal chest radiograph: a lung area in range,
 * a confident mask, two lungs of comparable size either side of the midline, θ near the frames seen in
 * training (Signoroni et al. 2021: θ centres and zooms the lungs; initialised to identity). Empty = plausible.
 */
export function chestPlausibilityProblems(evidence: LungMaskEvidence, thresholds: ChestPlausibilityThresholds = CHEST_PLAUSIBILITY): PlausibilityProblem[] {
  return [...lungProblems(evidence, thresholds), ...alignmentProblems(evidence.alignment, thresholds)];
}

/**
 * Refuses a model output whose lung mask and alignment are implausible for a chest radiograph, so that no
 * score is reported for it. Throws AppError IMAGE.NOT_A_CHEST_RADIOGRAPH (details: rules, problems).
 */
export function assertChestRadiograph(output: { readonly lungMask: LungMaskEvidence }): void {
  const problems = chestPlausibilityProblems(output.lungMask);
  if (problems.length === 0) return;
  throw new AppError('IMAGE.NOT_A_CHEST_RADIOGRAPH', `Not a frontal chest radiograph: ${problems[0].message}`, {
    details: { rules: problems.map((p) => p.rule), problems: problems.map((p) => p.message), lungAreaFraction: Number(output.lungMask.lungAreaFraction.toFixed(3)) },
  });
}
