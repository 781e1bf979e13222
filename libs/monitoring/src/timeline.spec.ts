import type { Zone, ZoneScore } from '@brixia/common';
import { buildTimeline, type ScorePoint } from './timeline';

const zones = (a: ZoneScore, rest: ZoneScore = 0): Record<Zone, ZoneScore> => ({ A: a, B: rest, C: rest, D: rest, E: rest, F: rest });
const point = (id: string, day: number, global: number, z: Record<Zone, ZoneScore>, status = 'preliminary'): ScorePoint => ({
  observationId: id, imagingStudyId: null, acquiredAt: new Date(Date.UTC(2024, 2, day)), global, zones: z, method: 'bsnet-automated', status, modelVersion: '0.1.0',
});

describe('buildTimeline', () => {
  it('orders by acquisition time and computes deltas vs previous and vs first', () => {
    const timeline = buildTimeline('p1', [point('c', 5, 9, zones(3, 1)), point('a', 1, 2, zones(2)), point('b', 3, 5, zones(0, 1))]);
    expect(timeline.points.map((p) => p.observationId)).toEqual(['a', 'b', 'c']);
    expect(timeline.points.map((p) => p.deltaGlobal)).toEqual([null, 3, 4]);
    expect(timeline.points.map((p) => p.deltaFromFirst)).toEqual([0, 3, 7]);
    expect(timeline.points[1].deltaZones).toEqual({ A: -2, B: 1, C: 1, D: 1, E: 1, F: 1 });
    expect(timeline.points[2].daysSincePrevious).toBe(2);
  });

  it('leaves out retracted results', () => {
    const timeline = buildTimeline('p1', [point('a', 1, 2, zones(2)), point('x', 2, 18, zones(3, 3), 'entered-in-error')]);
    expect(timeline.points.map((p) => p.observationId)).toEqual(['a']);
  });

  it('is empty for a patient without results', () => {
    expect(buildTimeline('p1', []).points).toEqual([]);
  });
});

describe('buildTimeline origins and superseded AI results', () => {
  it('tells AI, confirmed, overridden and radiologist points apart and counts the radiologist score of a study', () => {
    const ai = point('ai', 1, 4, zones(2, 0));
    const confirmed = point('conf', 2, 4, zones(2, 0), 'final');
    const overridden = point('over', 3, 6, zones(3, 0), 'amended');
    const aiOfScoredStudy = { ...point('ai-dup', 4, 12, zones(2, 2)), imagingStudyId: 's4' };
    const radiologist = { ...point('rad', 4, 8, zones(3, 1)), imagingStudyId: 's4', method: 'radiologist', status: 'final' };
    const timeline = buildTimeline('p1', [ai, confirmed, overridden, aiOfScoredStudy, radiologist]);
    expect(timeline.points.map((p) => [p.observationId, p.origin, p.superseded])).toEqual([
      ['ai', 'ai', false],
      ['conf', 'ai-confirmed', false],
      ['over', 'clinician-override', false],
      ['ai-dup', 'ai', true],
      ['rad', 'clinician', false],
    ]);
    const rad = timeline.points[4];
    expect(rad.deltaGlobal).toBe(2);
    expect(rad.changePerDay).toBe(2);
    expect(timeline.points[3].deltaGlobal).toBeNull();
  });
});
