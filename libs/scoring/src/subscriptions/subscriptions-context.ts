import type { RetryPolicy } from '@brixia/common';
import type { SubscriptionStore } from '@brixia/persistence';

/** Sends one notification (allow-listed, bounded, no redirects); resolves to the HTTP status. */
export type NotificationSender = (endpoint: string, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number) => Promise<number>;

/** What the Subscriptions use cases need (wired by the app). */
export interface SubscriptionsContext {
  readonly store: SubscriptionStore;
  /** Subscriber endpoints must be under a configured base (the service must not POST anywhere it is told). */
  isAllowedEndpoint(url: string): boolean;
  readonly send: NotificationSender;
  /** Retries of one notification; after its last try it is dead and the subscription goes to `error`. */
  readonly retry: RetryPolicy;
}
