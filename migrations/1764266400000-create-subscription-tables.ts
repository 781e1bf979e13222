import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * FHIR Subscriptions (R5 Backport on R4): subscriptions, topic events (written with the result) and
 * the notifications fanned out from them (delivered at least once, numbered per subscription).
 */
export class CreateSubscriptionTables1764266400000 implements MigrationInterface {
  name = 'CreateSubscriptionTables1764266400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE fhir_subscription (
        id text PRIMARY KEY,
        resource jsonb NOT NULL,
        status text NOT NULL,
        endpoint text NOT NULL,
        headers jsonb NOT NULL,
        payload_content text NOT NULL,
        patient_id text,
        heartbeat_s integer,
        timeout_s integer,
        hmac_secret text,
        events_since_start bigint NOT NULL DEFAULT 0,
        last_sent_at timestamptz,
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE subscription_event (
        id bigserial PRIMARY KEY,
        focus text NOT NULL,
        patient_id text,
        fanned_out boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX subscription_event_pending_idx ON subscription_event (id) WHERE NOT fanned_out`);
    await queryRunner.query(`
      CREATE TABLE subscription_notification (
        id text PRIMARY KEY,
        subscription_id text NOT NULL REFERENCES fhir_subscription(id) ON DELETE CASCADE,
        kind text NOT NULL,
        event_number bigint,
        focus text,
        event_time timestamptz NOT NULL DEFAULT now(),
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX subscription_notification_due_idx ON subscription_notification (next_attempt_at) WHERE state = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE subscription_notification`);
    await queryRunner.query(`DROP TABLE subscription_event`);
    await queryRunner.query(`DROP TABLE fhir_subscription`);
  }
}
