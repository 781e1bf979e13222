import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { SubscriptionEntity, SubscriptionEventEntity, SubscriptionNotificationEntity } from './entities';
import { toSubscriptionNotificationRecord, toSubscriptionRecord } from './entity-records.mapper';
import type { SubscriptionNotificationRecord, SubscriptionRecord, SubscriptionStatus } from './records';

export type NewSubscription = Omit<SubscriptionRecord, 'eventsSinceStart' | 'lastSentAt' | 'error' | 'createdAt' | 'updatedAt' | 'status'>;

/** A topic event to record with the change that caused it (same transaction: no event is lost). */
export interface NewSubscriptionEvent {
  readonly focus: string;
  readonly patientId: string | null;
}

function rowsOf<T>(result: unknown): T[] {
  // TypeORM's postgres driver answers UPDATE … RETURNING as [rows, count].
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/**
 * Subscriptions and their notifications. Events are fanned out to the active subscriptions that
 * match, each getting the next event number of its subscription (atomic `UPDATE … RETURNING`), in one
 * transaction with marking the event done; notifications are claimed with a lease (SKIP LOCKED).
 */
export class SubscriptionStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a new subscription (status requested) with its handshake notification. */
  async create(subscription: NewSubscription): Promise<SubscriptionRecord> {
    return this.dataSource.transaction(async (manager) => {
      await manager.insert(SubscriptionEntity, { ...subscription, headers: [...subscription.headers], status: 'requested' });
      await manager.insert(SubscriptionNotificationEntity, { id: randomUUID(), subscriptionId: subscription.id, kind: 'handshake', state: 'pending' });
      return toSubscriptionRecord(await manager.findOneByOrFail(SubscriptionEntity, { id: subscription.id }));
    });
  }

  async find(id: string): Promise<SubscriptionRecord | null> {
    const row = await this.dataSource.manager.findOneBy(SubscriptionEntity, { id });
    return row ? toSubscriptionRecord(row) : null;
  }

  /** Every Subscription, oldest first (searched in memory: a server holds few). */
  async list(): Promise<SubscriptionRecord[]> {
    const rows = await this.dataSource.manager.find(SubscriptionEntity, { order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toSubscriptionRecord);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.manager.delete(SubscriptionEntity, { id });
    return (result.affected ?? 0) > 0;
  }

  async setStatus(id: string, status: SubscriptionStatus, error: string | null = null): Promise<void> {
    await this.dataSource.manager.update(SubscriptionEntity, { id }, { status, error, updatedAt: new Date() });
  }

  async markSent(id: string): Promise<void> {
    await this.dataSource.manager.update(SubscriptionEntity, { id }, { lastSentAt: new Date() });
  }

  /** Records a topic event; pass the manager of the transaction that makes the change. */
  async recordEvent(event: NewSubscriptionEvent, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(SubscriptionEventEntity, { focus: event.focus, patientId: event.patientId });
  }

  /** Turns pending events into numbered notifications for every matching active subscription. */
  async fanOut(limit = 100): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const events = rowsOf<{ id: string; focus: string; patient_id: string | null; created_at: Date }>(
        await manager.query(`SELECT id, focus, patient_id, created_at FROM subscription_event WHERE NOT fanned_out ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]),
      );
      for (const event of events) {
        const numbered = rowsOf<{ id: string; events_since_start: string }>(
          await manager.query(
            `UPDATE fhir_subscription SET events_since_start = events_since_start + 1, updated_at = now()
             WHERE status = 'active' AND (patient_id IS NULL OR patient_id = $1) RETURNING id, events_since_start`,
            [event.patient_id],
          ),
        );
        for (const subscription of numbered) {
          await manager.insert(SubscriptionNotificationEntity, {
            id: randomUUID(),
            subscriptionId: subscription.id,
            kind: 'event-notification',
            eventNumber: subscription.events_since_start,
            focus: event.focus,
            eventTime: event.created_at,
            state: 'pending',
          });
        }
        await manager.update(SubscriptionEventEntity, { id: event.id }, { fannedOut: true });
      }
      return events.length;
    });
  }

  async claimDue(limit: number, leaseMs: number): Promise<SubscriptionNotificationRecord[]> {
    const ids = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `UPDATE subscription_notification SET attempts = attempts + 1, next_attempt_at = now() + ($2::text || ' milliseconds')::interval
         WHERE id IN (SELECT id FROM subscription_notification WHERE state = 'pending' AND next_attempt_at <= now()
                      ORDER BY event_number NULLS FIRST, created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        [limit, String(leaseMs)],
      ),
    );
    if (ids.length === 0) return [];
    const rows = await this.dataSource.manager.findBy(SubscriptionNotificationEntity, ids.map((row) => ({ id: row.id })));
    return rows.map(toSubscriptionNotificationRecord);
  }

  async markNotification(id: string, state: 'delivered' | 'pending' | 'dead', error: string | null, nextAttemptAt?: Date): Promise<void> {
    await this.dataSource.manager.update(SubscriptionNotificationEntity, { id }, { state, lastError: error, ...(nextAttemptAt ? { nextAttemptAt } : {}) });
  }

  /** Active subscriptions with a heartbeat period whose last notification is older than it. */
  async dueForHeartbeat(): Promise<SubscriptionRecord[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(SubscriptionEntity, 's')
      .where(`s.status = 'active' AND s.heartbeat_s IS NOT NULL`)
      .andWhere(`(s.last_sent_at IS NULL OR s.last_sent_at + make_interval(secs => s.heartbeat_s) <= now())`)
      .getMany();
    return rows.map(toSubscriptionRecord);
  }
}
