import type { TimelinePoint } from './timeline';
import type { Trend, TrendRules } from './monitoring-rules';

export interface TrendAssessment {
  readonly trend: Trend;
  /** latest global − reference global; null with fewer than two points. */
  readonly change: number | null;
  /** change / days between reference and latest; null when unknown or no time passed. */
  readonly changePerDay: number | null;
  /** The point the latest score is compared with. */
  readonly referenceObservationId: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Classifies the direction of a series (counted points, in clinical order) by the rule documented on
 * TrendRules: latest vs the earliest point of the window, else vs the previous point.
 */
export function assessTrend(points: readonly TimelinePoint[], rules: TrendRules): TrendAssessment {
  if (points.length < 2) return { trend: 'unknown', change: null, changePerDay: null, referenceObservationId: null };
  const latest = points[points.length - 1];
  const windowStart = latest.acquiredAt.getTime() - rules.windowDays * DAY_MS;
  const earlier = points.slice(0, -1);
  const reference = earlier.find((point) => point.acquiredAt.getTime() >= windowStart) ?? earlier[earlier.length - 1];
  const change = latest.global - reference.global;
  const days = (latest.acquiredAt.getTime() - reference.acquiredAt.getTime()) / DAY_MS;
  const trend: Trend = change >= rules.minChange ? 'worsening' : change <= -rules.minChange ? 'improving' : 'stable';
  return { trend, change, changePerDay: days > 0 ? change / days : null, referenceObservationId: reference.observationId };
}

/** Sort rank: worsening first, then unknown (new patients), stable, improving. */
export function trendRank(trend: Trend): number {
  switch (trend) {
    case 'worsening':
      return 0;
    case 'unknown':
      return 1;
    case 'stable':
      return 2;
    case 'improving':
      return 3;
  }
}
