import { Not, type DataSource, type EntityManager } from 'typeorm';
import { OutboxMessageEntity, ScoringTaskEntity } from './entities';
import { toOutboxMessageRecord } from './entity-records.mapper';
import type { OutboxKind, OutboxMessageRecord, OutboxPayload, OutboxState } from './records';

/**
 * A message to enqueue with its result (`result`, in ScoringStore.completeScoring's transaction) or
 * with a review (`revision`, in MonitoringStore.applyReview's transaction).
 */
export interface NewOutboxMessage {
  readonly id: string;
  readonly resultId: string;
  /** The scoring Task of the result; only a `result` message changes the Task's businessStatus. */
  readonly taskId: string | null;
  readonly kind: OutboxKind;
  readonly destination: string;
  readonly payload: OutboxPayload;
}

/**
 * Whether a message's state is the Task's businessStatus (publishing / done / publish-failed). Only
 * the first publication is: the Task's output is the AI result, and it stays `done` once that reached
 * the EHR. A clinician's revision that fails is shown by the delivery endpoint and the operator
 * command instead; flipping the Task to publish-failed would claim the AI result is missing from the
 * EHR, which it is not.
 */
function drivesTask(message: OutboxMessageEntity | null): message is OutboxMessageEntity & { taskId: string } {
  return message?.kind === 'result' && message.taskId !== null;
}

/**
 * Sets a Task's businessStatus from its publication, but for a superseded Task: its result is still
 * delivered (it is valid, and its successor's Provenance references it), but what the Task says is that
 * another instance is its study's point.
 */
async function updateTaskPublication(manager: EntityManager, taskId: string, businessStatus: 'done' | 'publish-failed' | 'publishing'): Promise<void> {
  await manager.update(ScoringTaskEntity, { id: taskId, businessStatus: Not('superseded') }, { businessStatus, updatedAt: new Date() });
}

/**
 * The outbox's reads and state changes. Claiming is a lease: due rows are taken with
 * `FOR UPDATE SKIP LOCKED` (concurrent dispatchers never share a row) and pushed `leaseMs` ahead, so
 * a dispatcher that dies mid-delivery leaves its row to be claimed again (at-least-once).
 */
export class OutboxStore {
  constructor(private readonly dataSource: DataSource) {}

  async claimDue(limit: number, leaseMs: number): Promise<OutboxMessageRecord[]> {
    const rows = (await this.dataSource.query(
      `UPDATE outbox_message SET attempts = attempts + 1, next_attempt_at = now() + ($2::text || ' milliseconds')::interval, updated_at = now()
       WHERE id IN (SELECT id FROM outbox_message WHERE state = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [limit, String(leaseMs)],
    )) as [Array<{ id: string }>, number] | Array<{ id: string }>;
    const ids = (Array.isArray(rows[0]) ? rows[0] : rows) as Array<{ id: string }>;
    if (ids.length === 0) return [];
    const messages = await this.dataSource.manager.findBy(OutboxMessageEntity, ids.map((row) => ({ id: row.id })));
    return messages.map(toOutboxMessageRecord);
  }

  async markDelivered(id: string, remoteIds: Record<string, string>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const message = await manager.findOneBy(OutboxMessageEntity, { id });
      await manager.update(OutboxMessageEntity, { id }, { state: 'delivered', remoteIds, lastError: null, deliveredAt: new Date(), updatedAt: new Date() });
      if (drivesTask(message)) await updateTaskPublication(manager, message.taskId, 'done');
    });
  }

  /** Records a failed try: back to pending at `nextAttemptAt`, or dead when `nextAttemptAt` is null. */
  async markFailed(id: string, error: string, nextAttemptAt: Date | null, remoteIds: Record<string, string>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const message = await manager.findOneBy(OutboxMessageEntity, { id });
      const dead = nextAttemptAt === null;
      await manager.update(OutboxMessageEntity, { id }, { state: dead ? 'dead' : 'pending', lastError: error, nextAttemptAt: nextAttemptAt ?? new Date(), remoteIds, updatedAt: new Date() });
      if (dead && drivesTask(message)) await updateTaskPublication(manager, message.taskId, 'publish-failed');
    });
  }

  /** Operator re-delivery of a dead (or any) message: pending now, with a fresh retry period. */
  async redeliver(id: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const message = await manager.findOneBy(OutboxMessageEntity, { id });
      if (!message) return false;
      await manager.update(OutboxMessageEntity, { id }, { state: 'pending', attempts: 0, nextAttemptAt: new Date(), createdAt: new Date(), updatedAt: new Date() });
      if (drivesTask(message)) await updateTaskPublication(manager, message.taskId, 'publishing');
      return true;
    });
  }

  /** The first publication of a result (its `result` message). */
  async findByResult(resultId: string): Promise<OutboxMessageRecord | null> {
    const message = await this.dataSource.manager.findOneBy(OutboxMessageEntity, { resultId, kind: 'result' });
    return message ? toOutboxMessageRecord(message) : null;
  }

  /** Every message of a result (its publication, then its revisions), oldest first. */
  async listByResult(resultId: string): Promise<OutboxMessageRecord[]> {
    const messages = await this.dataSource.manager.find(OutboxMessageEntity, { where: { resultId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return messages.map(toOutboxMessageRecord);
  }

  async findById(id: string): Promise<OutboxMessageRecord | null> {
    const message = await this.dataSource.manager.findOneBy(OutboxMessageEntity, { id });
    return message ? toOutboxMessageRecord(message) : null;
  }

  async list(state?: OutboxState, limit = 100): Promise<OutboxMessageRecord[]> {
    const messages = await this.dataSource.manager.find(OutboxMessageEntity, { where: state ? { state } : {}, order: { createdAt: 'ASC' }, take: limit });
    return messages.map(toOutboxMessageRecord);
  }
}
