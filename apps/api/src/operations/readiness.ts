import type { Database } from '@brixia/persistence';

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: {
    readonly database: boolean;
    readonly migrations: boolean;
    /** Only for roles that score; null for the API role. */
    readonly model: boolean | null;
    readonly draining: boolean;
  };
}

/**
 * Ready = the database answers, every migration of this build is applied, a scoring role has its
 * model loaded, and the process is not shutting down (a draining pod leaves the Service first).
 */
export async function checkReadiness(parts: { database: Database; scores: boolean; modelLoaded: boolean; draining: boolean }): Promise<ReadinessReport> {
  const health = await parts.database.health();
  const checks = {
    database: health.reachable,
    migrations: health.migrationsPending === false,
    model: parts.scores ? parts.modelLoaded : null,
    draining: parts.draining,
  };
  return { ready: checks.database && checks.migrations && checks.model !== false && !checks.draining, checks };
}
