import { ZONES, type Zone, type ZoneScore } from '@brixia/common';

/** Method code of radiologist-entered scores (libs/fhir BRIXIA_CODES.methodRadiologist). */
export const RADIOLOGIST_METHOD = 'radiologist';

/**
 * Where a point's value comes from: `ai` (preliminary model result), `ai-confirmed` (a clinician
 * confirmed it: Observation final), `clinician-override` (a clinician changed it: amended/corrected),
 * `clinician` (a radiologist entered the score: method `radiologist`).
 */
export type PointOrigin = 'ai' | 'ai-confirmed' | 'clinician-override' | 'clinician';

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
  /** Version of the result (optimistic concurrency of reviews); 1 when never revised. */
  readonly versionId?: number;
  /** The model's own values, kept when a clinician overrode them. */
  readonly aiGlobal?: number | null;
  readonly aiZones?: Readonly<Record<Zone, ZoneScore>> | null;
}

export interface TimelinePoint extends ScorePoint {
  readonly origin: PointOrigin;
  /**
   * True for an unreviewed AI result of a study that also has a radiologist-entered score: shown,
   * but the radiologist's score is the one the deltas, trend and alerts use.
   */
  readonly superseded: boolean;
  /** Global score change vs the previous counted point; null for the first point and superseded ones. */
  readonly deltaGlobal: number | null;
  /** Per-zone change vs the previous counted point; null for the first point and superseded ones. */
  readonly deltaZones: Readonly<Record<Zone, number>> | null;
  /** Change vs the first (admission) counted point of the series. */
  readonly deltaFromFirst: number;
  /** Days since the previous counted point (fractional); null for the first point and superseded ones. */
  readonly daysSincePrevious: number | null;
  /** deltaGlobal / daysSincePrevious; null when either is unknown or the two studies share a time. */
  readonly changePerDay: number | null;
}

export interface Timeline {
  readonly patientId: string;
  readonly points: readonly TimelinePoint[];
}

const DAY_MS = 86_400_000;

/** Reads a point's origin from its method code and Observation status (docs/fhir-profile.md, Observation `status`). */
export function originOf(point: Pick<ScorePoint, 'method' | 'status'>): PointOrigin {
  if (point.method === RADIOLOGIST_METHOD) return 'clinician';
  if (point.status === 'final') return 'ai-confirmed';
  if (point.status === 'amended' || point.status === 'corrected') return 'clinician-override';
  return 'ai';
}

/**
 * Orders a patient's scores by acquisition time and derives the deltas clinicians read a series by.
 * Entered-in-error points are left out: they are retractions, not measurements. An unreviewed AI
 * result of a study that a radiologist also scored is kept but superseded (not counted).
 */
export function buildTimeline(patientId: string, points: readonly ScorePoint[]): Timeline {
  const ordered = points
    .filter((point) => point.status !== 'entered-in-error')
    .slice()
    .sort((a, b) => a.acquiredAt.getTime() - b.acquiredAt.getTime() || a.observationId.localeCompare(b.observationId));
  const radiologistStudies = new Set(ordered.filter((p) => p.method === RADIOLOGIST_METHOD && p.imagingStudyId !== null).map((p) => p.imagingStudyId));
  const isSuperseded = (point: ScorePoint): boolean =>
    originOf(point) === 'ai' && point.imagingStudyId !== null && radiologistStudies.has(point.imagingStudyId);
  const first = ordered.find((point) => !isSuperseded(point));
  let previous: ScorePoint | undefined;
  const timeline: TimelinePoint[] = ordered.map((point) => {
    const superseded = isSuperseded(point);
    const base = { ...point, origin: originOf(point), superseded, deltaFromFirst: first ? point.global - first.global : 0 };
    if (superseded) return { ...base, deltaGlobal: null, deltaZones: null, daysSincePrevious: null, changePerDay: null };
    const before = previous;
    previous = point;
    if (!before) return { ...base, deltaGlobal: null, deltaZones: null, daysSincePrevious: null, changePerDay: null };
    const deltaGlobal = point.global - before.global;
    const days = (point.acquiredAt.getTime() - before.acquiredAt.getTime()) / DAY_MS;
    return { ...base, deltaGlobal, deltaZones: zoneDeltas(point.zones, before.zones), daysSincePrevious: days, changePerDay: days > 0 ? deltaGlobal / days : null };
  });
  return { patientId, points: timeline };
}

/** The points the analytics use (trend, alerts): the timeline without superseded points. */
export function countedPoints(timeline: Timeline): readonly TimelinePoint[] {
  return timeline.points.filter((point) => !point.superseded);
}

function zoneDeltas(current: Readonly<Record<Zone, ZoneScore>>, previous: Readonly<Record<Zone, ZoneScore>>): Record<Zone, number> {
  const deltas = {} as Record<Zone, number>;
  for (const zone of ZONES) deltas[zone] = current[zone] - previous[zone];
  return deltas;
}
