import type { Logger } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import type { ScoringStore } from '@brixia/persistence';
import { deliverNotification, sendHeartbeats, type SubscriptionsContext } from '@brixia/scoring';
import { PollingLoop } from './polling-loop';

/** Fans topic events out to subscriptions, delivers due notifications, sends heartbeats. */
export function startSubscriptionLoop(subscriptions: SubscriptionsContext, scoringStore: ScoringStore, fhir: FhirConfig, pollMs: number, logger: Logger): PollingLoop {
  return new PollingLoop(
    'subscriptions',
    async (isStopped) => {
      while (!isStopped() && (await subscriptions.store.fanOut()) > 0);
      while (!isStopped()) {
        const due = await subscriptions.store.claimDue(16, 60_000);
        if (due.length === 0) break;
        await Promise.all(due.map((notification) => deliverNotification(subscriptions, scoringStore, fhir, notification, logger)));
      }
      if (!isStopped()) await sendHeartbeats(subscriptions, fhir, logger);
    },
    pollMs,
    logger,
  ).start();
}
