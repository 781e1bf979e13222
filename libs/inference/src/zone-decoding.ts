import { ZONES, globalScore, type BrixiaScoring, type Zone, type ZoneProbabilities, type ZoneScore } from '@brixia/common';

/** Scores per zone (0..3): the width of one `zone_probs` row. */
export const SCORE_CLASSES = 4;
/** Values per image in `zone_probs` [N, 6, 4]. */
export const ZONE_PROBS_PER_IMAGE = ZONES.length * SCORE_CLASSES;

/**
 * Turns one image's rows of the `zone_probs` output [N, 6, 4] (rows in zone order A..F, as the
 * manifest's zoneOrder guarantees) into a Brixia scoring: each zone's score is the arg-max class
 * (Signoroni et al. 2021, §"predicted score = argmax"); ties go to the lower score. Global = sum.
 */
export function decodeZoneProbabilities(zoneProbs: Float32Array, batchIndex: number): BrixiaScoring {
  const offset = batchIndex * ZONE_PROBS_PER_IMAGE;
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || offset + ZONE_PROBS_PER_IMAGE > zoneProbs.length) {
    throw new RangeError(`batch index ${batchIndex} is outside zone_probs of length ${zoneProbs.length}`);
  }
  const zones = {} as Record<Zone, ZoneScore>;
  const probabilities = {} as Record<Zone, ZoneProbabilities>;
  ZONES.forEach((zone, z) => {
    const row = offset + z * SCORE_CLASSES;
    const p: ZoneProbabilities = [zoneProbs[row], zoneProbs[row + 1], zoneProbs[row + 2], zoneProbs[row + 3]];
    let best = 0;
    for (let k = 1; k < SCORE_CLASSES; k++) if (p[k] > p[best]) best = k;
    zones[zone] = best as ZoneScore;
    probabilities[zone] = p;
  });
  return { zones, global: globalScore(zones), probabilities };
}

/** Expected global score Σ_zones Σ_k k·p_k (0–18): the paper's "expected value" reading, smoother than the arg-max sum. */
export function expectedGlobalScore(probabilities: Readonly<Record<Zone, ZoneProbabilities>>): number {
  let sum = 0;
  for (const zone of ZONES) {
    const p = probabilities[zone];
    for (let k = 1; k < SCORE_CLASSES; k++) sum += k * p[k];
  }
  return sum;
}
