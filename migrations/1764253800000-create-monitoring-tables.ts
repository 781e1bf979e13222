import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Serial monitoring: clinician reviews of AI results (the audit of confirm/override with
 * the version read) and the per-patient monitoring projection the patient list is served from
 * (latest score, trend, active alerts), refreshed whenever a patient's results change.
 */
export class CreateMonitoringTables1764253800000 implements MigrationInterface {
  name = 'CreateMonitoringTables1764253800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE brixia_review (
        id text PRIMARY KEY,
        result_id text NOT NULL REFERENCES brixia_result(id),
        action text NOT NULL CHECK (action IN ('confirm','override')),
        practitioner_id text NOT NULL,
        version_read integer NOT NULL,
        version_written integer NOT NULL,
        previous_status text NOT NULL,
        previous_global integer NOT NULL,
        previous_zone_scores jsonb NOT NULL,
        new_status text NOT NULL,
        new_global integer NOT NULL,
        new_zone_scores jsonb NOT NULL,
        provenance_id text NOT NULL,
        reviewed_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (result_id, version_written)
      )`);
    await queryRunner.query(`
      CREATE TABLE patient_monitoring (
        patient_id text PRIMARY KEY,
        latest_global integer NOT NULL,
        latest_acquired_at timestamptz NOT NULL,
        latest_observation_id text NOT NULL,
        point_count integer NOT NULL,
        trend text NOT NULL CHECK (trend IN ('improving','stable','worsening','unknown')),
        trend_rank smallint NOT NULL,
        trend_change integer,
        change_per_day double precision,
        active_alert_count integer NOT NULL,
        active_alerts jsonb NOT NULL,
        source_updated_at timestamptz NOT NULL,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The patient list's keyset order: latest score (highest first), trend rank, id.
    await queryRunner.query(`CREATE INDEX patient_monitoring_list_idx ON patient_monitoring (latest_global DESC, trend_rank, patient_id)`);
    // Staleness check of the projection compares each patient's newest result change.
    await queryRunner.query(`CREATE INDEX brixia_result_patient_updated_idx ON brixia_result (patient_id, updated_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS brixia_result_patient_updated_idx`);
    await queryRunner.query(`DROP TABLE IF EXISTS patient_monitoring`);
    await queryRunner.query(`DROP TABLE IF EXISTS brixia_review`);
  }
}
