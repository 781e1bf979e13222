/**
 * Configurable thresholds of serial monitoring. Defaults are grounded in the Brescia group's
 * published prognostic facts (docs/fhir-profile.md "Monitoring facts used by the rules") and the inter-reader variability of the score
 * (Signoroni et al. 2021); they are informational, not diagnostic.
 */

/** Direction of a patient's series over the trend window. */
export type Trend = 'improving' | 'stable' | 'worsening' | 'unknown';

/**
 * Trend rule: compare the latest score with the earliest score inside the last `windowDays`
 * (or, when no other score falls inside the window, with the previous score).
 * change ≥ +minChange → worsening; change ≤ −minChange → improving; otherwise stable.
 */
export interface TrendRules {
  /** How far back (days before the latest study) the reference score is taken from. */
  readonly windowDays: number;
  /**
   * Smallest change of the global score that counts as a change. Default 2: below the junior-vs-
   * senior radiologist global MAE of 1.94 (Signoroni et al. 2021), a change is within reader variability.
   */
  readonly minChange: number;
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * One alert rule. `rise-from-first`: global − first (admission) global > threshold.
 * `score-at-least`: global ≥ threshold. `rise-from-previous`: global − previous global > threshold.
 */
export interface AlertRule {
  readonly id: string;
  readonly kind: 'rise-from-first' | 'score-at-least' | 'rise-from-previous';
  readonly threshold: number;
  readonly severity: AlertSeverity;
}

export interface MonitoringRules {
  readonly trend: TrendRules;
  readonly alerts: readonly AlertRule[];
}

/** Trend defaults: a 7-day window (daily films in hospitalised patients) and a 2-point change. */
export const DEFAULT_TREND_RULES: TrendRules = Object.freeze({ windowDays: 7, minChange: 2 });

/**
 * Alert defaults (docs/fhir-profile.md): a rise of more than 3 points from admission to the highest score
 * carried HR 1.57 for in-hospital death in 953 patients → warning; a score of 8 was the optimal
 * mortality cut-off in 302 patients → informational.
 */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = Object.freeze([
  Object.freeze({ id: 'rise-from-admission', kind: 'rise-from-first', threshold: 3, severity: 'warning' } as const),
  Object.freeze({ id: 'score-8-or-more', kind: 'score-at-least', threshold: 8, severity: 'info' } as const),
]);

export const DEFAULT_MONITORING_RULES: MonitoringRules = Object.freeze({ trend: DEFAULT_TREND_RULES, alerts: DEFAULT_ALERT_RULES });

/** Builds rules from the two numbers sites usually tune (config), keeping the other defaults. */
export function monitoringRules(options: {
  trendWindowDays?: number;
  trendMinChange?: number;
  riseFromFirst?: number;
  scoreAtLeast?: number;
}): MonitoringRules {
  return {
    trend: { windowDays: options.trendWindowDays ?? DEFAULT_TREND_RULES.windowDays, minChange: options.trendMinChange ?? DEFAULT_TREND_RULES.minChange },
    alerts: DEFAULT_ALERT_RULES.map((rule) => {
      if (rule.kind === 'rise-from-first' && options.riseFromFirst !== undefined) return { ...rule, threshold: options.riseFromFirst };
      if (rule.kind === 'score-at-least' && options.scoreAtLeast !== undefined) return { ...rule, threshold: options.scoreAtLeast };
      return rule;
    }),
  };
}
