import { isLastTry, retryDelayMs, toAppError, type Logger, type RetryPolicy } from '@brixia/common';
import type { OutboxMessageRecord, OutboxStore } from '@brixia/persistence';
import { publishResource, type PublishingServer } from './publish-resource';
import { earlierRemoteIds, supersededRemoteIds } from './revision-order';

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
  message: OutboxMessageRecord,
  policy: RetryPolicy,
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
    const expired = !waiting && isLastTry(policy, { attempts: message.attempts, ageMs: now().getTime() - message.createdAt.getTime() });
    const dead = expired || PERMANENT.has(appError.code);
    const next = dead ? null : new Date(now().getTime() + retryDelayMs(message.attempts, policy));
    await outbox.markFailed(message.id, `${appError.code}: ${appError.message}`, next, remote);
    const logged = { code: appError.code, dead, nextAttemptAt: next?.toISOString() };
    if (waiting) log.info(logged, 'revision waits for the earlier publication of its result');
    else log.warn(logged, dead ? 'publication dead-lettered' : 'publication will be retried');
    return dead ? 'dead' : 'retry';
  }
}
