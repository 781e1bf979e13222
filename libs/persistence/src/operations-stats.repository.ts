import type { DataSource } from 'typeorm';
import type { OutboxState } from './entities';
import { EXPLANATION_QUEUE, SCORING_DEAD_LETTER_QUEUE, SCORING_QUEUE } from './job-queue.adapter';

/** Jobs of one queue in one pg-boss state (created, retry, active, completed, cancelled, failed). */
export interface QueueDepth {
  readonly queue: string;
  readonly state: string;
  readonly count: number;
}

/**
 * Counts for the operator's metrics: queue depth by state (pg-boss's job table) and the outbox by
 * state. Read on each scrape; both are index-backed group-bys over small live tables (pg-boss
 * archives completed jobs, the outbox keeps one row per delivery).
 */
export class OperationsStats {
  constructor(private readonly dataSource: DataSource) {}

  async queueDepth(): Promise<QueueDepth[]> {
    const rows: { name: string; state: string; count: string }[] = await this.dataSource.query(
      'SELECT name, state::text AS state, count(*) AS count FROM pgboss.job WHERE name = ANY($1) GROUP BY name, state',
      [[SCORING_QUEUE, EXPLANATION_QUEUE, SCORING_DEAD_LETTER_QUEUE]],
    );
    return rows.map((row) => ({ queue: row.name, state: row.state, count: Number(row.count) }));
  }

  async outboxByState(): Promise<Record<OutboxState, number>> {
    const rows: { state: OutboxState; count: string }[] = await this.dataSource.query('SELECT state, count(*) AS count FROM outbox_message GROUP BY state');
    const counts: Record<OutboxState, number> = { pending: 0, delivered: 0, dead: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}
