/**
 * The Brixia score glossary shared by every lib (Borghesi & Maroldi 2020; Signoroni et al. 2021).
 * Zones A,B,C = right lung upper/middle/lower (image-left); D,E,F = left lung (image-right).
 */
export const ZONES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Zone = (typeof ZONES)[number];

/** A zone score, 0 (no abnormality) to 3 (alveolar dominant). */
export type ZoneScore = 0 | 1 | 2 | 3;

/** Per-zone probabilities of scores 0,1,2,3 (sum 1). */
export type ZoneProbabilities = readonly [number, number, number, number];

export const MAX_GLOBAL_SCORE = 18;

/** What the model says about one radiograph. */
export interface BrixiaScoring {
  readonly zones: Readonly<Record<Zone, ZoneScore>>;
  /** Sum of the six zone scores, 0–18. */
  readonly global: number;
  readonly probabilities: Readonly<Record<Zone, ZoneProbabilities>>;
}

/** Identifies the model that produced a result: every result names it (version + ONNX hash). */
export interface ModelIdentity {
  readonly name: string;
  readonly version: string;
  /** SHA-256 (hex) of the ONNX file as loaded. */
  readonly sha256: string;
  readonly preprocessingId: string;
}

export function isZoneScore(value: unknown): value is ZoneScore {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

export function globalScore(zones: Readonly<Record<Zone, ZoneScore>>): number {
  return ZONES.reduce((sum, zone) => sum + zones[zone], 0);
}
