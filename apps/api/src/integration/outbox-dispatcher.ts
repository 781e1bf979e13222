import type { Logger, RetryPolicy } from '@brixia/common';
import type { EhrDirectory } from '@brixia/ehr';
import type { OutboxStore } from '@brixia/persistence';
import { deliverOutboxMessage } from '@brixia/scoring';
import { PollingLoop } from './polling-loop';

/**
 * Delivers due outbox messages (roles `all` and `worker`). A claim is a lease, so several workers may
 * run this and a killed one only delays its messages by the lease.
 */
export function startOutboxLoop(ehr: EhrDirectory, outbox: OutboxStore, policy: RetryPolicy & { readonly pollMs: number; readonly leaseMs: number }, logger: Logger): PollingLoop {
  return new PollingLoop(
    'outbox',
    async (isStopped) => {
      while (!isStopped()) {
        const due = await outbox.claimDue(8, policy.leaseMs);
        if (due.length === 0) return;
        await Promise.all(due.map((message) => deliverOutboxMessage(ehr, outbox, message, policy, logger)));
      }
    },
    policy.pollMs,
    logger,
  ).start();
}
