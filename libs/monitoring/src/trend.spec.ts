import { DEFAULT_TREND_RULES } from './monitoring-rules';
import { buildTimeline, countedPoints } from './timeline';
import { assessTrend, trendRank } from './trend';
import { pointOn } from './analytics.spec-helper';

const trendOf = (points: Parameters<typeof buildTimeline>[1], rules = DEFAULT_TREND_RULES) => assessTrend(countedPoints(buildTimeline('p', points)), rules);

describe('assessTrend', () => {
  it('is unknown with a single study', () => {
    expect(trendOf([pointOn(1, 5)]).trend).toBe('unknown');
  });

  it('compares the latest score with the earliest one inside the window', () => {
    const result = trendOf([pointOn(1, 2), pointOn(5, 4), pointOn(8, 7)]);
    // window 7 days before day 8 starts on day 1: reference is day 1 (2) → change 5 over 7 days
    expect(result).toEqual({ trend: 'worsening', change: 5, changePerDay: 5 / 7, referenceObservationId: 'obs-01' });
  });

  it('ignores studies older than the window', () => {
    const result = trendOf([pointOn(1, 2), pointOn(20, 10), pointOn(22, 9)]);
    expect(result.referenceObservationId).toBe('obs-20');
    expect(result.trend).toBe('stable');
  });

  it('falls back to the previous study when nothing else is inside the window', () => {
    const result = trendOf([pointOn(1, 12), pointOn(30, 6)]);
    expect(result).toMatchObject({ trend: 'improving', change: -6, referenceObservationId: 'obs-01' });
  });

  it('treats changes below minChange as stable, and honours a configured threshold', () => {
    expect(trendOf([pointOn(1, 5), pointOn(2, 6)]).trend).toBe('stable');
    expect(trendOf([pointOn(1, 5), pointOn(2, 6)], { windowDays: 7, minChange: 1 }).trend).toBe('worsening');
  });

  it('ranks worsening first and improving last', () => {
    expect(['improving', 'stable', 'worsening', 'unknown'].sort((a, b) => trendRank(a as never) - trendRank(b as never))).toEqual([
      'worsening',
      'unknown',
      'stable',
      'improving',
    ]);
  });
});
