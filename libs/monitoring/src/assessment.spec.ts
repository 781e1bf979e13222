import type { Zone, ZoneScore } from '@brixia/common';
import { aiScoreOf } from './assessment';

const zones = (value: ZoneScore): Record<Zone, ZoneScore> => ({ A: value, B: value, C: value, D: value, E: value, F: value });

describe('aiScoreOf', () => {
  const ai = { method: 'bsnet-automated', status: 'preliminary', globalScore: 6, zoneScores: zones(1) };

  it('is the result itself until a clinician overrides it (a confirmation keeps the values)', () => {
    expect(aiScoreOf(ai, [])).toEqual({ global: 6, zones: zones(1) });
    expect(aiScoreOf({ ...ai, status: 'final' }, [{ action: 'confirm', previousGlobal: 6, previousZoneScores: zones(1) }])).toEqual({ global: 6, zones: zones(1) });
  });

  it('is what the first override replaced, once overridden (later overrides do not change it)', () => {
    const overridden = { ...ai, status: 'amended', globalScore: 18, zoneScores: zones(3) };
    const reviews = [
      { action: 'confirm' as const, previousGlobal: 6, previousZoneScores: zones(1) },
      { action: 'override' as const, previousGlobal: 6, previousZoneScores: zones(1) },
      { action: 'override' as const, previousGlobal: 12, previousZoneScores: zones(2) },
    ];
    expect(aiScoreOf(overridden, reviews)).toEqual({ global: 6, zones: zones(1) });
  });

  it('is null for a radiologist-entered score (no AI asserted it)', () => {
    expect(aiScoreOf({ ...ai, method: 'radiologist' }, [])).toBeNull();
  });
});
