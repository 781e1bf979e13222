import { ZONES, globalScore, type BrixiaScoring, type Zone, type ZoneProbabilities, type ZoneScore } from '@brixia/common';

/** Scores per zone (0..3): the width of one `zone_probs` row. */
export const SCORE_CLASSES = 4;
/** Values per image in `zone_probs` [N, 6, 4]. */
export const ZONE_PROBS_PER_IMAGE = ZONES.length * SCORE_CLASSES;

/**
 * How a zone's score is read from its four probabilities (the manifest's `zoneDecision`):
 * - `argmax`: the most probable score (Signoroni et al. 2021, §"predicted score = argmax");
 * - `median`: the median of the distribution, the score with the least expected absolute error —
 *   the decision that fits a model judged by mean absolute error (the Brixia literature's metric).
 *   It differs from the arg-max on flat or bimodal rows, e.g. [0.4, 0.05, 0.05, 0.5] → 2, not 3.
 */
export type ZoneDecision = 'argmax' | 'median';
export const ZONE_DECISIONS: readonly ZoneDecision[] = ['argmax', 'median'];

function decideZone(p: ZoneProbabilities, decision: ZoneDecision): ZoneScore {
  let best = 0;
  if (decision === 'median') {
    // The smallest score whose cumulative probability reaches one half.
    let cumulative = p[0];
    while (best < SCORE_CLASSES - 1 && cumulative < 0.5) cumulative += p[++best];
  } else {
    for (let k = 1; k < SCORE_CLASSES; k++) if (p[k] > p[best]) best = k;
  }
  return best as ZoneScore;
}

/**
 * Turns one image's rows of the `zone_probs` output [N, 6, 4] (rows in zone order A..F, as the
 * manifest's zoneOrder guarantees) into a Brixia scoring: each zone's score by `decision` (ties of
 * the arg-max go to the lower score). Global = sum.
 */
export function decodeZoneProbabilities(zoneProbs: Float32Array, batchIndex: number, decision: ZoneDecision = 'argmax'): BrixiaScoring {
  const offset = batchIndex * ZONE_PROBS_PER_IMAGE;
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || offset + ZONE_PROBS_PER_IMAGE > zoneProbs.length) {
    throw new RangeError(`batch index ${batchIndex} is outside zone_probs of length ${zoneProbs.length}`);
  }
  const zones = {} as Record<Zone, ZoneScore>;
  const probabilities = {} as Record<Zone, ZoneProbabilities>;
  ZONES.forEach((zone, z) => {
    const row = offset + z * SCORE_CLASSES;
    const p: ZoneProbabilities = [zoneProbs[row], zoneProbs[row + 1], zoneProbs[row + 2], zoneProbs[row + 3]];
    zones[zone] = decideZone(p, decision);
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
