import type * as fhir4 from 'fhir/r4';
import { AppError, MAX_GLOBAL_SCORE, ZONES, globalScore, isZoneScore, type Zone, type ZoneProbabilities, type ZoneScore } from '@brixia/common';
import { BRIXIA_CODES, zoneOfCode } from './brixia-code-system';
import { readZoneProbabilities } from './zone-probabilities';

/** What a Brixia Observation says, in domain terms. */
export interface BrixiaObservationContent {
  readonly global: number;
  readonly zones: Record<Zone, ZoneScore>;
  /** The method code (bsnet-automated, radiologist), when present. */
  readonly method?: string;
  /** Per-zone probabilities, when all six zones carry them (automated results). */
  readonly probabilities?: Record<Zone, ZoneProbabilities>;
}

const CODE_SYSTEM_SUFFIX = '/CodeSystem/brixia-score';

function invalid(message: string, expression: string): AppError {
  return new AppError('REQUEST.INVALID', message, { expression: [expression] });
}

function isBrixiaSystem(coding: fhir4.Coding): boolean {
  return typeof coding.system === 'string' && coding.system.endsWith(CODE_SYSTEM_SUFFIX);
}

/**
 * The inverse of buildBrixiaObservation, for Observations that come from outside (e.g. a
 * radiologist's score): checks code `#global`, six zone components each present once with an
 * integer 0–3, and a valueInteger equal to their sum. Any CodeSystem base ending in
 * /CodeSystem/brixia-score is accepted, so results survive a change of canonical base.
 * Throws AppError REQUEST.INVALID with the FHIRPath of the offending element.
 */
export function readBrixiaObservation(obs: fhir4.Observation): BrixiaObservationContent {
  if (obs === null || typeof obs !== 'object' || obs.resourceType !== 'Observation') {
    throw invalid('Expected an Observation', 'Observation');
  }
  if (!obs.code?.coding?.some((coding) => isBrixiaSystem(coding) && coding.code === BRIXIA_CODES.global)) {
    throw invalid(`Observation.code must be the Brixia CodeSystem code ${BRIXIA_CODES.global}`, 'Observation.code');
  }
  const global = obs.valueInteger;
  if (typeof global !== 'number' || !Number.isInteger(global) || global < 0 || global > MAX_GLOBAL_SCORE) {
    throw invalid('Observation.valueInteger must be the global Brixia score, an integer 0–18', 'Observation.value');
  }
  const zones: Partial<Record<Zone, ZoneScore>> = {};
  const probabilities: Partial<Record<Zone, ZoneProbabilities>> = {};
  (obs.component ?? []).forEach((component, index) => {
    const path = `Observation.component[${index}]`;
    const zone = component.code?.coding?.map((coding) => (isBrixiaSystem(coding) ? zoneOfCode(coding.code) : undefined)).find((z) => z !== undefined);
    if (!zone) return; // Components of other codes are not ours to judge.
    if (zones[zone] !== undefined) throw invalid(`Zone ${zone} appears more than once`, `${path}.code`);
    if (!isZoneScore(component.valueInteger)) throw invalid(`Zone ${zone} must have valueInteger 0–3`, `${path}.value`);
    zones[zone] = component.valueInteger;
    const vector = readZoneProbabilities(component.extension);
    if (vector) probabilities[zone] = vector;
  });
  const missing = ZONES.filter((zone) => zones[zone] === undefined);
  if (missing.length > 0) throw invalid(`Missing zone component(s): ${missing.join(', ')}`, 'Observation.component');
  const complete = zones as Record<Zone, ZoneScore>;
  if (globalScore(complete) !== global) {
    throw invalid('Observation.valueInteger must equal the sum of the six zone scores', 'Observation.value');
  }
  const method = obs.method?.coding?.find(isBrixiaSystem)?.code;
  const allProbabilities = ZONES.every((zone) => probabilities[zone] !== undefined);
  return {
    global,
    zones: complete,
    ...(method !== undefined ? { method } : {}),
    ...(allProbabilities ? { probabilities: probabilities as Record<Zone, ZoneProbabilities> } : {}),
  };
}
