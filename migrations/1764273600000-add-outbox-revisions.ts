import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reviews are published too: a result now has one `result` message and one `revision` message per
 * review. The UNIQUE on result_id goes; a partial unique index keeps the one-`result`-message rule
 * (completeScoring's insert relies on it to stay a no-op when redone), and (result_id, created_at)
 * serves the per-result reads (delivery order, the delivery endpoint).
 */
export class AddOutboxRevisions1764273600000 implements MigrationInterface {
  name = 'AddOutboxRevisions1764273600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // PostgreSQL names an inline column UNIQUE <table>_<column>_key.
    await queryRunner.query(`ALTER TABLE outbox_message DROP CONSTRAINT outbox_message_result_id_key`);
    await queryRunner.query(`ALTER TABLE outbox_message ADD COLUMN kind text NOT NULL DEFAULT 'result' CHECK (kind IN ('result','revision'))`);
    await queryRunner.query(`CREATE UNIQUE INDEX outbox_message_result_uq ON outbox_message (result_id) WHERE kind = 'result'`);
    await queryRunner.query(`CREATE INDEX outbox_message_result_idx ON outbox_message (result_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX outbox_message_result_idx`);
    await queryRunner.query(`DROP INDEX outbox_message_result_uq`);
    // The old schema holds one message per result: revisions cannot survive the way back.
    await queryRunner.query(`DELETE FROM outbox_message WHERE kind = 'revision'`);
    await queryRunner.query(`ALTER TABLE outbox_message DROP COLUMN kind`);
    await queryRunner.query(`ALTER TABLE outbox_message ADD CONSTRAINT outbox_message_result_id_key UNIQUE (result_id)`);
  }
}
