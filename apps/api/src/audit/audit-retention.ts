import type { Clock, Logger } from '@brixia/common';
import type { AuditStore } from '@brixia/persistence';
import { PollingLoop } from '../integration/polling-loop';

const DAY_MS = 86_400_000;

/** One retention pass: deletes AuditEvents recorded more than `retentionDays` ago; returns how many. */
export async function purgeExpiredAuditEvents(store: AuditStore, retentionDays: number, clock: Clock): Promise<number> {
  return store.purgeRecordedBefore(new Date(clock.now().getTime() - retentionDays * DAY_MS));
}

/**
 * The retention job: a pass at start-up, then every `purgeIntervalSeconds` (BRIXIA_AUDIT_RETENTION_DAYS,
 * BRIXIA_AUDIT_PURGE_INTERVAL_S). Idempotent, so every process may run it.
 */
export function startAuditRetention(store: AuditStore, config: { readonly retentionDays: number; readonly purgeIntervalSeconds: number }, clock: Clock, logger: Logger): PollingLoop {
  return new PollingLoop(
    'audit-retention',
    async () => {
      const purged = await purgeExpiredAuditEvents(store, config.retentionDays, clock);
      if (purged > 0) logger.info({ purged, retentionDays: config.retentionDays }, 'expired audit events purged');
    },
    config.purgeIntervalSeconds * 1000,
    logger,
  ).start();
}
