import { evaluateAlerts } from './alerts';
import { DEFAULT_ALERT_RULES, monitoringRules } from './monitoring-rules';
import { buildTimeline, countedPoints } from './timeline';
import { pointOn } from './analytics.spec-helper';

const evaluate = (points: Parameters<typeof buildTimeline>[1], rules = DEFAULT_ALERT_RULES) => evaluateAlerts('p', countedPoints(buildTimeline('p', points)), rules);

describe('evaluateAlerts (defaults from docs/fhir-profile.md)', () => {
  it('raises a warning when the score rises more than 3 points from the first study, not at exactly 3', () => {
    expect(evaluate([pointOn(1, 2), pointOn(2, 5)]).raised).toEqual([]);
    const { raised, active } = evaluate([pointOn(1, 2), pointOn(2, 5), pointOn(3, 6)]);
    expect(raised).toEqual([expect.objectContaining({ ruleId: 'rise-from-admission', severity: 'warning', observationId: 'obs-03', value: 4, threshold: 3 })]);
    expect(active.map((a) => a.ruleId)).toEqual(['rise-from-admission']);
  });

  it('flags a score of 8 or more as informational, once while it holds', () => {
    const { raised, active } = evaluate([pointOn(1, 8), pointOn(2, 9), pointOn(3, 10)]);
    const high = raised.filter((a) => a.ruleId === 'score-8-or-more');
    expect(high).toHaveLength(1);
    expect(high[0]).toMatchObject({ severity: 'info', observationId: 'obs-01', value: 8 });
    expect(active.map((a) => a.ruleId)).toContain('score-8-or-more');
  });

  it('clears the active state when the condition stops holding and raises again when it returns', () => {
    const { raised, active } = evaluate([pointOn(1, 9), pointOn(2, 5), pointOn(3, 8)]);
    expect(raised.filter((a) => a.ruleId === 'score-8-or-more').map((a) => a.observationId)).toEqual(['obs-01', 'obs-03']);
    expect(active).toHaveLength(1);
    expect(evaluate([pointOn(1, 9), pointOn(2, 5)]).active).toEqual([]);
  });

  it('uses configured thresholds', () => {
    const rules = monitoringRules({ riseFromFirst: 1, scoreAtLeast: 12 }).alerts;
    const { raised } = evaluate([pointOn(1, 2), pointOn(2, 4), pointOn(3, 9)], rules);
    expect(raised.map((a) => [a.ruleId, a.observationId])).toEqual([['rise-from-admission', 'obs-02']]);
  });

  it('raises rise-from-previous on each qualifying consecutive rise', () => {
    const rule = { id: 'jump', kind: 'rise-from-previous', threshold: 2, severity: 'critical' } as const;
    const { raised } = evaluate([pointOn(1, 1), pointOn(2, 4), pointOn(3, 8), pointOn(4, 8)], [rule]);
    expect(raised.map((a) => a.observationId)).toEqual(['obs-02', 'obs-03']);
  });
});
