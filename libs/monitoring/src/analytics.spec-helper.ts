import { ZONES, type Zone, type ZoneScore } from '@brixia/common';
import type { ScorePoint } from './timeline';

/** Zone scores whose sum is `global` (filled zone by zone, 3 at most each). */
export function zonesFor(global: number): Record<Zone, ZoneScore> {
  let left = global;
  const zones = {} as Record<Zone, ZoneScore>;
  for (const zone of ZONES) {
    const score = Math.min(3, left) as ZoneScore;
    zones[zone] = score;
    left -= score;
  }
  return zones;
}

/** A point on day `day` of March 2024 with the given global score. */
export function pointOn(day: number, global: number, overrides: Partial<ScorePoint> = {}): ScorePoint {
  return {
    observationId: `obs-${String(day).padStart(2, '0')}`,
    imagingStudyId: `study-${day}`,
    acquiredAt: new Date(Date.UTC(2024, 2, 1) + (day - 1) * 86_400_000),
    global,
    zones: zonesFor(global),
    method: 'bsnet-automated',
    status: 'preliminary',
    modelVersion: '0.1.0',
    versionId: 1,
    ...overrides,
  };
}
