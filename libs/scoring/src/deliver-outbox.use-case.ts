import { toAppError, type Logger } from '@brixia/common';
import type { OutboxMessageEntity, OutboxStore } from '@brixia/persistence';
import { publishResource, type PublishingServer } from './publish-resource';
import { earlierRemoteIds, supersededRemoteIds } from './revision-order';

/** How long and how often publication is retried (configured in hours, not minutes). */
export interface OutboxPolicy {
  readonly retryPeriodMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a random delay in [d/2, d] with d = base·2^(attempt−1) capped at max, so recovering EHRs are not
 * hit by every service at once. `attempts` counts tries so far (≥ 1).
 */
export function outboxRetryDelay(attempts: number, policy: OutboxPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Codes no retry can fix: the message is dead-lettered at once (an operator may redeliver). */
const PERMANENT = new Set(['UPSTREAM.INVALID_RESPONSE', 'UPSTREAM.NOT_ALLOWED', 'REQUEST.INVALID', 'UPSTREAM.TOO_LARGE', 'PUBLICATION.EARLIER_FAILED']);

/** The outbox operations delivery uses (OutboxStore; a fake in unit tests). */
export type OutboxDeliveryStore = Pick<OutboxStore, 'markDelivered' | 'markFailed' | 'listByResult'>;

/** Where a message goes (EhrDirectory; a fake in unit tests). */
export interface PublicationDirectory {
  serverFor(destination: string): { readonly server: PublishingServer };
}

/**
 * Delivers one outbox message: each resource in order (publishResource: conditional creates, and
 * updates for a revision), references rewritten to the ids the EHR assigned (remembered across tries;
 * a revision starts from the ids its result's earlier messages got). Success → delivered; failure →
 * retried with backoff until the retry period is spent, then dead (for a `result` message the Task's
 * businessStatus says publish-failed). A revision waiting for an earlier message is not failing: it is
 * retried without a deadline, as the earlier one is itself delivered or dead-lettered in bounded time.
 */
export async function deliverOutboxMessage(
  ehr: PublicationDirectory,
  outbox: OutboxDeliveryStore,
  message: OutboxMessageEntity,
  policy: OutboxPolicy,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<'delivered' | 'retry' | 'dead'> {
  const remote: Record<string, string> = { ...(message.payload.initialRemoteIds ?? {}), ...(message.remoteIds ?? {}) };
  const log = logger.child({ outboxId: message.id, kind: message.kind, observationId: message.resultId, taskId: message.taskId, attempt: message.attempts });
  try {
    if (message.kind === 'revision') Object.assign(remote, earlierRemoteIds(message, await outbox.listByResult(message.resultId)), message.remoteIds ?? {});
    const superseded = message.payload.supersedesResultId;
    if (superseded) Object.assign(remote, supersededRemoteIds(message, await outbox.listByResult(superseded)), message.payload.initialRemoteIds ?? {}, message.remoteIds ?? {});
    const { server } = ehr.serverFor(message.destination);
    for (const resource of message.payload.resources) {
      remote[`${resource.resourceType}/${resource.id}`] = await publishResource(server, resource, remote, message.kind);
    }
    await outbox.markDelivered(message.id, remote);
    log.info({ destination: message.destination }, message.kind === 'revision' ? 'review published to the EHR' : 'result published to the EHR');
    return 'delivered';
  } catch (error) {
    const appError = toAppError(error);
    const waiting = appError.code === 'PUBLICATION.AWAITING_EARLIER';
    const expired = !waiting && now().getTime() - message.createdAt.getTime() >= policy.retryPeriodMs;
    const dead = expired || PERMANENT.has(appError.code);
    const next = dead ? null : new Date(now().getTime() + outboxRetryDelay(message.attempts, policy));
    await outbox.markFailed(message.id, `${appError.code}: ${appError.message}`, next, remote);
    const logged = { code: appError.code, dead, nextAttemptAt: next?.toISOString() };
    if (waiting) log.info(logged, 'revision waits for the earlier publication of its result');
    else log.warn(logged, dead ? 'publication dead-lettered' : 'publication will be retried');
    return dead ? 'dead' : 'retry';
  }
}
