import type { AlertRule, AlertSeverity } from './monitoring-rules';
import type { TimelinePoint } from './timeline';

/** An alert raised on one point of a series by one rule. */
export interface MonitoringAlert {
  readonly ruleId: string;
  readonly kind: AlertRule['kind'];
  readonly severity: AlertSeverity;
  readonly patientId: string;
  readonly observationId: string;
  readonly acquiredAt: Date;
  /** The value the rule compared (global score, or the rise). */
  readonly value: number;
  readonly threshold: number;
  readonly message: string;
}

export interface AlertEvaluation {
  /** Every alert raised along the series, in clinical order. */
  readonly raised: readonly MonitoringAlert[];
  /** Alerts whose condition still holds at the latest point (the patient's alert state). */
  readonly active: readonly MonitoringAlert[];
}

function measure(rule: AlertRule, point: TimelinePoint, first: TimelinePoint, previous: TimelinePoint | undefined): number | null {
  switch (rule.kind) {
    case 'rise-from-first':
      return point.global - first.global;
    case 'score-at-least':
      return point.global;
    case 'rise-from-previous':
      return previous ? point.global - previous.global : null;
  }
}

function holds(rule: AlertRule, value: number | null): boolean {
  if (value === null) return false;
  return rule.kind === 'score-at-least' ? value >= rule.threshold : value > rule.threshold;
}

function describe(rule: AlertRule, value: number): string {
  switch (rule.kind) {
    case 'rise-from-first':
      return `Brixia score rose ${value} points from the first study (rule: more than ${rule.threshold})`;
    case 'score-at-least':
      return `Brixia score ${value} is at least ${rule.threshold}`;
    case 'rise-from-previous':
      return `Brixia score rose ${value} points from the previous study (rule: more than ${rule.threshold})`;
  }
}

/**
 * Evaluates alert rules over a series (counted points, clinical order). Alerts are edge-triggered:
 * a rule raises when its condition starts to hold, not again on every later study while it holds
 * (`rise-from-previous` compares consecutive studies, so each qualifying rise raises).
 */
export function evaluateAlerts(patientId: string, points: readonly TimelinePoint[], rules: readonly AlertRule[]): AlertEvaluation {
  const raised: MonitoringAlert[] = [];
  const active: MonitoringAlert[] = [];
  if (points.length === 0) return { raised, active };
  const first = points[0];
  for (const rule of rules) {
    let held = false;
    let current: MonitoringAlert | undefined;
    points.forEach((point, index) => {
      const value = measure(rule, point, first, points[index - 1]);
      const now = holds(rule, value);
      if (now && (!held || rule.kind === 'rise-from-previous')) {
        current = {
          ruleId: rule.id,
          kind: rule.kind,
          severity: rule.severity,
          patientId,
          observationId: point.observationId,
          acquiredAt: point.acquiredAt,
          value: value ?? 0,
          threshold: rule.threshold,
          message: describe(rule, value ?? 0),
        };
        raised.push(current);
      }
      held = now;
    });
    if (held && current) active.push(current);
  }
  raised.sort((a, b) => a.acquiredAt.getTime() - b.acquiredAt.getTime() || a.ruleId.localeCompare(b.ruleId));
  return { raised, active };
}
