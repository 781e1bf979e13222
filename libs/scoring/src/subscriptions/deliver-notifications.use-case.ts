import { createHmac, randomUUID } from 'node:crypto';
import { isLastTry, retryDelayMs, toAppError, type Logger } from '@brixia/common';
import { notificationBundle, type FhirConfig, type NotificationType } from '@brixia/fhir';
import type { ScoringStore, SubscriptionRecord, SubscriptionNotificationRecord } from '@brixia/persistence';
import type { SubscriptionsContext } from './subscriptions-context';

/** Header carrying `sha256=<hex HMAC-SHA256 of the body>` when the subscriber set a secret. */
export const SIGNATURE_HEADER = 'X-Brixia-Signature';
const DEFAULT_TIMEOUT_MS = 10_000;

function channelHeaders(subscription: SubscriptionRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of subscription.headers) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** POSTs one notification Bundle; resolves true on 2xx. HMAC over the exact bytes sent. */
async function post(subscriptions: SubscriptionsContext, subscription: SubscriptionRecord, bundle: fhir4.Bundle): Promise<{ ok: boolean; error?: string }> {
  const body = JSON.stringify(bundle);
  const headers: Record<string, string> = { ...channelHeaders(subscription), 'content-type': 'application/fhir+json' };
  if (subscription.hmacSecret) headers[SIGNATURE_HEADER.toLowerCase()] = `sha256=${createHmac('sha256', subscription.hmacSecret).update(body).digest('hex')}`;
  try {
    const status = await subscriptions.send(subscription.endpoint, body, headers, (subscription.timeoutSeconds ?? 0) * 1000 || DEFAULT_TIMEOUT_MS);
    return status >= 200 && status < 300 ? { ok: true } : { ok: false, error: `endpoint answered HTTP ${status}` };
  } catch (error) {
    return { ok: false, error: toAppError(error).message };
  }
}

function bundleFor(config: FhirConfig, subscription: SubscriptionRecord, type: NotificationType, extra: { event?: { eventNumber: number; timestamp: string; focus: string }; focusResource?: fhir4.FhirResource }): fhir4.Bundle {
  return notificationBundle(
    {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      subscriptionId: subscription.id,
      status: type === 'handshake' ? 'requested' : subscription.status,
      type,
      eventsSinceSubscriptionStart: Number(subscription.eventsSinceStart),
      events: extra.event ? [extra.event] : undefined,
      payloadContent: subscription.payloadContent,
      focusResource: extra.focusResource,
    },
    config,
  );
}

/**
 * Delivers one claimed notification (handshake or event). Success: delivered (a handshake activates
 * the subscription). Failure: retried with backoff; after its last try (docs/operations.md "Retries")
 * the notification is dead and the subscription goes to `error` (backport IG: subscribers then query `$status` to resynchronise).
 */
export async function deliverNotification(
  subscriptions: SubscriptionsContext,
  scoringStore: Pick<ScoringStore, 'findResource'>,
  config: FhirConfig,
  notification: SubscriptionNotificationRecord,
  logger: Logger,
): Promise<'delivered' | 'retry' | 'dead'> {
  const subscription = await subscriptions.store.find(notification.subscriptionId);
  if (!subscription || subscription.status === 'off') {
    await subscriptions.store.markNotification(notification.id, 'dead', 'subscription deleted or off');
    return 'dead';
  }
  let bundle: fhir4.Bundle;
  if (notification.kind === 'handshake') {
    bundle = bundleFor(config, subscription, 'handshake', {});
  } else {
    const focus = notification.focus ?? '';
    const [type, id] = focus.split('/');
    const row = subscription.payloadContent === 'full-resource' ? await scoringStore.findResource(type, id) : null;
    bundle = bundleFor(config, subscription, 'event-notification', {
      event: { eventNumber: Number(notification.eventNumber), timestamp: notification.eventTime.toISOString(), focus },
      focusResource: row?.resource,
    });
  }
  const log = logger.child({ subscriptionId: subscription.id, notificationId: notification.id, kind: notification.kind, eventNumber: notification.eventNumber, attempt: notification.attempts });
  const result = await post(subscriptions, subscription, bundle);
  if (result.ok) {
    await subscriptions.store.markNotification(notification.id, 'delivered', null);
    await subscriptions.store.markSent(subscription.id);
    if (notification.kind === 'handshake') await subscriptions.store.setStatus(subscription.id, 'active');
    log.debug({}, 'notification delivered');
    return 'delivered';
  }
  if (isLastTry(subscriptions.retry, { attempts: notification.attempts })) {
    await subscriptions.store.markNotification(notification.id, 'dead', result.error ?? null);
    await subscriptions.store.setStatus(subscription.id, 'error', `Notification delivery failed: ${result.error}`);
    log.warn({ error: result.error }, 'notification dead; subscription in error');
    return 'dead';
  }
  const next = new Date(Date.now() + retryDelayMs(notification.attempts, subscriptions.retry));
  await subscriptions.store.markNotification(notification.id, 'pending', result.error ?? null, next);
  log.info({ error: result.error, nextAttemptAt: next.toISOString() }, 'notification will be retried');
  return 'retry';
}

/** Sends heartbeats to active subscriptions that have been quiet for their heartbeat period. */
export async function sendHeartbeats(subscriptions: SubscriptionsContext, config: FhirConfig, logger: Logger): Promise<number> {
  let sent = 0;
  for (const subscription of await subscriptions.store.dueForHeartbeat()) {
    const result = await post(subscriptions, subscription, bundleFor(config, subscription, 'heartbeat', {}));
    // A missed heartbeat is not retried: the next period sends another (the subscriber watches for gaps).
    await subscriptions.store.markSent(subscription.id);
    if (result.ok) sent++;
    else logger.info({ subscriptionId: subscription.id, error: result.error }, 'heartbeat not accepted');
  }
  return sent;
}
