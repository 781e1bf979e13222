import type * as fhir4 from 'fhir/r4';
import { AppError, type ZoneProbabilities, type ZoneScore } from '@brixia/common';
import { AI_CONFIDENCE_EXTENSION_URL } from './ai-transparency';
import { canonical, type FhirConfig } from './config';

/**
 * Our extension for the full 4-class probability vector of a zone (p(score = 0..3)).
 *
 * Why our own: the AI Transparency IG's AIconfidence extension carries ONE value — the confidence
 * in the result recorded in the element — and cannot say how the rest of the probability mass is
 * spread over the other scores, which clinicians and the monitoring rules need (a zone at
 * p = 0.45/0.55 between 1 and 2 is not the same as one at 0.01/0.99). The IG is also still a
 * ballot, so its URL may move. We therefore attach both: AIconfidence = p(asserted score), for
 * IG-aware consumers, and this complex extension with sub-extensions `score-0` … `score-3`
 * (valueDecimal), defined under our canonical base.
 */
export function zoneProbabilitiesExtensionUrl(config: FhirConfig): string {
  return `${canonical(config)}/StructureDefinition/brixia-zone-probabilities`;
}

const SCORES: readonly ZoneScore[] = [0, 1, 2, 3];
const SUB_URL = (score: ZoneScore): string => `score-${score}`;
/** Softmax outputs in float32 sum to 1 within far less than this. */
const SUM_TOLERANCE = 0.01;

/**
 * Probabilities are published with 6 decimals: ample for a 4-class softmax, and it keeps the JSON
 * free of float noise (0.30000000000000004) and of exponent notation.
 */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Throws unless the vector is 4 finite numbers in [0, 1] summing to 1. */
export function assertProbabilities(probabilities: ZoneProbabilities, zone: string): void {
  const valid =
    probabilities.length === 4 &&
    probabilities.every((p) => Number.isFinite(p) && p >= 0 && p <= 1) &&
    Math.abs(probabilities.reduce((sum, p) => sum + p, 0) - 1) <= SUM_TOLERANCE;
  if (!valid) throw new AppError('INFERENCE.FAILED', `The model returned an invalid probability vector for zone ${zone}`);
}

/** The two extensions of one zone component: AIconfidence of the asserted score, and the vector. */
export function zoneProbabilityExtensions(config: FhirConfig, probabilities: ZoneProbabilities, asserted: ZoneScore): fhir4.Extension[] {
  return [
    { url: AI_CONFIDENCE_EXTENSION_URL, valueDecimal: round6(probabilities[asserted]) },
    {
      url: zoneProbabilitiesExtensionUrl(config),
      extension: SCORES.map((score) => ({ url: SUB_URL(score), valueDecimal: round6(probabilities[score]) })),
    },
  ];
}

/** Reads the vector back from a component's extensions; undefined when absent or malformed. */
export function readZoneProbabilities(extensions: readonly fhir4.Extension[] | undefined): ZoneProbabilities | undefined {
  const vector = extensions?.find((extension) => extension.url.endsWith('/StructureDefinition/brixia-zone-probabilities'));
  if (!vector?.extension) return undefined;
  const values = SCORES.map((score) => vector.extension?.find((sub) => sub.url === SUB_URL(score))?.valueDecimal);
  if (values.some((value) => typeof value !== 'number')) return undefined;
  return values as unknown as ZoneProbabilities;
}
