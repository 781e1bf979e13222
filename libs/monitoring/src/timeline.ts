import { ZONES, type Zone, type ZoneScore } from '@brixia/common';

/** One Brixia score on a patient's series, as stored (AI or radiologist-entered). */
export interface ScorePoint {
  readonly observationId: string;
  readonly imagingStudyId: string | null;
  /** Clinical time: when the radiograph was acquired (never the inference time). */
  readonly acquiredAt: Date;
  readonly global: number;
  readonly zones: Readonly<Record<Zone, ZoneScore>>;
  readonly method: string;
  readonly status: string;
  readonly modelVersion: string | null;
}

export interface TimelinePoint extends ScorePoint {
  /** Global score change vs the previous point; null for the first point. */
  readonly deltaGlobal: number | null;
  /** Per-zone change vs the previous point; null for the first point. */
  readonly deltaZones: Readonly<Record<Zone, number>> | null;
  /** Change vs the first (admission) point of the series. */
  readonly deltaFromFirst: number;
  /** Days since the previous point (fractional); null for the first point. */
  readonly daysSincePrevious: number | null;
}

export interface Timeline {
  readonly patientId: string;
  readonly points: readonly TimelinePoint[];
}

const DAY_MS = 86_400_000;

/**
 * Orders a patient's scores by acquisition time and derives the deltas clinicians read a series by.
 * Entered-in-error points are left out: they are retractions, not measurements.
 */
export function buildTimeline(patientId: string, points: readonly ScorePoint[]): Timeline {
  const ordered = points
    .filter((point) => point.status !== 'entered-in-error')
    .slice()
    .sort((a, b) => a.acquiredAt.getTime() - b.acquiredAt.getTime() || a.observationId.localeCompare(b.observationId));
  const first = ordered[0];
  const timeline: TimelinePoint[] = ordered.map((point, index) => {
    const previous = index > 0 ? ordered[index - 1] : undefined;
    return {
      ...point,
      deltaGlobal: previous ? point.global - previous.global : null,
      deltaZones: previous ? zoneDeltas(point.zones, previous.zones) : null,
      deltaFromFirst: point.global - first.global,
      daysSincePrevious: previous ? (point.acquiredAt.getTime() - previous.acquiredAt.getTime()) / DAY_MS : null,
    };
  });
  return { patientId, points: timeline };
}

function zoneDeltas(current: Readonly<Record<Zone, ZoneScore>>, previous: Readonly<Record<Zone, ZoneScore>>): Record<Zone, number> {
  const deltas = {} as Record<Zone, number>;
  for (const zone of ZONES) deltas[zone] = current[zone] - previous[zone];
  return deltas;
}
