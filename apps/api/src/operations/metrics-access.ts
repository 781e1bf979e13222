import { timingSafeEqual } from 'node:crypto';

/**
 * Who may scrape /metrics: nobody when metrics are off; anyone on the network when no token is set
 * (the default: a scrape port is usually reachable from the cluster only, docs/operations.md);
 * otherwise only a bearer of BRIXIA_METRICS_TOKEN. The metrics hold counts and timings, no PHI.
 */
export interface MetricsAccess {
  readonly enabled: boolean;
  readonly token?: string;
}

export type MetricsDecision = 'allow' | 'disabled' | 'unauthorized';

export function decideMetricsAccess(access: MetricsAccess, authorization: string | undefined): MetricsDecision {
  if (!access.enabled) return 'disabled';
  if (!access.token) return 'allow';
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] ?? '';
  const expected = Buffer.from(access.token);
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'allow' : 'unauthorized';
}
