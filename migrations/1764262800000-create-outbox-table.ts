import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Transactional outbox for publishing results back to the EHR: one row per result, written
 * in the transaction that stores the result, delivered at least once with conditional creates.
 */
export class CreateOutboxTable1764262800000 implements MigrationInterface {
  name = 'CreateOutboxTable1764262800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_message (
        id text PRIMARY KEY,
        result_id text NOT NULL UNIQUE,
        task_id text,
        destination text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        remote_ids jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX outbox_message_due_idx ON outbox_message (next_attempt_at) WHERE state = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_message`);
  }
}
