import { AppError } from '@brixia/common';
import type { OutboxMessageRecord } from '@brixia/persistence';

type Ordered = Pick<OutboxMessageRecord, 'id' | 'kind' | 'state' | 'payload' | 'createdAt' | 'remoteIds'>;

/** Publication order of one result's messages: its result first, then its revisions by result version. */
function rank(message: Ordered): [number, number, number] {
  return [message.kind === 'result' ? 0 : 1, message.payload.resultVersion ?? 0, message.createdAt.getTime()];
}

function before(a: Ordered, b: Ordered): boolean {
  const [x, y] = [rank(a), rank(b)];
  const differing = x.findIndex((value, index) => value !== y[index]);
  return differing >= 0 && x[differing] < y[differing];
}

/**
 * The EHR ids a revision builds on: the remote ids of every earlier message of its result (the
 * result's publication, earlier revisions), merged in order. A revision updates what those created,
 * so it waits while one is pending (PUBLICATION.AWAITING_EARLIER, retried) and is dead-lettered when
 * one is dead (PUBLICATION.EARLIER_FAILED: an operator redelivers that one, then this one). A
 * `result` message never waits.
 */
export function earlierRemoteIds(message: Ordered, siblings: readonly Ordered[]): Record<string, string> {
  if (message.kind === 'result') return {};
  const earlier = siblings.filter((other) => other.id !== message.id && before(other, message)).sort((a, b) => (before(a, b) ? -1 : 1));
  const dead = earlier.find((other) => other.state === 'dead');
  if (dead) throw new AppError('PUBLICATION.EARLIER_FAILED', `An earlier publication of this result (outbox ${dead.id}) is dead-lettered; redeliver it, then this revision`);
  const pending = earlier.find((other) => other.state === 'pending');
  if (pending) throw new AppError('PUBLICATION.AWAITING_EARLIER', `Waiting for the earlier publication of this result (outbox ${pending.id})`);
  return Object.assign({}, ...earlier.map((other) => other.remoteIds ?? {})) as Record<string, string>;
}

/**
 * The EHR ids of the result a `result` message supersedes (payload.supersedesResultId): its Provenance
 * references that result's Observation and DiagnosticReport, so it waits while their publication is
 * pending and is dead-lettered when it is dead, like a revision (an operator redelivers that one first).
 * Nothing to wait for when the superseded result was never queued for this EHR.
 */
export function supersededRemoteIds(message: Pick<OutboxMessageRecord, 'payload'>, supersededMessages: readonly Ordered[]): Record<string, string> {
  if (!message.payload.supersedesResultId) return {};
  const publication = supersededMessages.find((other) => other.kind === 'result');
  if (!publication) return {};
  if (publication.state === 'dead') throw new AppError('PUBLICATION.EARLIER_FAILED', `The publication of the result this one supersedes (outbox ${publication.id}) is dead-lettered; redeliver it, then this one`);
  if (publication.state === 'pending') throw new AppError('PUBLICATION.AWAITING_EARLIER', `Waiting for the publication of the result this one supersedes (outbox ${publication.id})`);
  return { ...(publication.remoteIds ?? {}) };
}
