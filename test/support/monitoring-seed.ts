import { ZONES, type ModelIdentity, type Zone, type ZoneScore } from '@brixia/common';
import { buildBrixiaObservation, observationIdentifier, type FhirConfig } from '@brixia/fhir';
import type { MonitoringStore, ScoringStore } from '@brixia/persistence';

const DAY_MS = 86_400_000;

/** Zone scores summing to `global`, spread over the zones. */
export function zonesFor(global: number): Record<Zone, ZoneScore> {
  const zones = {} as Record<Zone, ZoneScore>;
  let left = Math.max(0, Math.min(18, global));
  ZONES.forEach((zone, index) => {
    const share = Math.min(3, Math.ceil(left / (ZONES.length - index))) as ZoneScore;
    zones[zone] = share;
    left -= share;
  });
  return zones;
}

export interface SeedOptions {
  readonly patients: number;
  readonly studiesPerPatient: number;
  /** Global score of study `s` of patient `p`. */
  readonly score?: (patient: number, study: number) => number;
  readonly patientPrefix?: string;
  /** Also store each FHIR Observation (needed by reviews and $lastn; not by timelines). */
  readonly withObservations?: boolean;
  readonly fhir: FhirConfig;
  readonly model: ModelIdentity;
}

/**
 * Inserts AI results directly through the stores (no model run): daily studies from 2024-03-01.
 * Returns the patient ids.
 */
export async function seedResults(stores: { monitoring: MonitoringStore; scoring: ScoringStore }, options: SeedOptions): Promise<string[]> {
  const prefix = options.patientPrefix ?? 'seed';
  const score = options.score ?? ((p: number, s: number) => (p + s * 2) % 19);
  const ids: string[] = [];
  const prefixCode = [...prefix].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 1_000_000, 7);
  for (let p = 0; p < options.patients; p++) {
    const patientId = `${prefix}-${p}`;
    ids.push(patientId);
    const rows = [];
    for (let s = 0; s < options.studiesPerPatient; s++) {
      const zones = zonesFor(score(p, s));
      const global = ZONES.reduce((sum, zone) => sum + zones[zone], 0);
      const acquiredAt = new Date(Date.UTC(2024, 2, 1, 8) + s * DAY_MS);
      const studyUid = `2.25.${prefixCode}${p + 1}${String(s).padStart(4, '0')}`;
      const identifier = observationIdentifier(options.fhir, { patientId, studyInstanceUid: studyUid, sopInstanceUid: `${studyUid}.1`, modelVersion: options.model.version });
      const id = `obs-${prefix}-${p}-${s}`;
      const probabilities = Object.fromEntries(ZONES.map((zone) => [zone, [0, 1, 2, 3].map((k) => (k === zones[zone] ? 0.7 : 0.1))])) as never;
      rows.push({
        id, taskId: null, patientId, imagingStudyId: null, identifierSystem: identifier.system ?? '', identifierValue: identifier.value ?? id,
        acquiredAt, issuedAt: acquiredAt, globalScore: global, zoneScores: zones, probabilities, modelVersion: options.model.version,
        modelSha256: options.model.sha256, method: 'bsnet-automated', status: 'preliminary',
      });
      if (options.withObservations) {
        await stores.scoring.saveResource(
          buildBrixiaObservation(options.fhir, {
            id, scoring: { zones, global, probabilities }, model: options.model, patientId, imagingStudy: { studyInstanceUid: studyUid }, identifier,
            effectiveDateTime: acquiredAt.toISOString(), issued: acquiredAt.toISOString(), status: 'preliminary', method: 'bsnet-automated',
          }),
        );
      }
    }
    await stores.monitoring.importResults(rows);
  }
  return ids;
}
