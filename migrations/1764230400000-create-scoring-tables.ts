import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Core schema: studies and their images, scoring tasks (the durable record of accepted work),
 * Brixia results (the timeline projection) and stored FHIR resources.
 */
export class CreateScoringTables1764230400000 implements MigrationInterface {
  name = 'CreateScoringTables1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE imaging_study (
        id text PRIMARY KEY,
        patient_id text NOT NULL,
        study_instance_uid text,
        source text NOT NULL,
        resource jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX imaging_study_uid_uq ON imaging_study (study_instance_uid) WHERE study_instance_uid IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX imaging_study_patient_idx ON imaging_study (patient_id)`);

    await queryRunner.query(`
      CREATE TABLE stored_image (
        id text PRIMARY KEY,
        sha256 text NOT NULL UNIQUE,
        imaging_study_id text NOT NULL REFERENCES imaging_study(id),
        content_type text NOT NULL,
        byte_size integer NOT NULL,
        content bytea NOT NULL,
        sop_instance_uid text,
        series_instance_uid text,
        metadata jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX stored_image_sop_idx ON stored_image (sop_instance_uid)`);

    await queryRunner.query(`
      CREATE TABLE scoring_task (
        id text PRIMARY KEY,
        dedupe_key text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('requested','in-progress','completed','failed')),
        business_status text NOT NULL,
        failure jsonb,
        imaging_study_id text REFERENCES imaging_study(id),
        image_id text REFERENCES stored_image(id),
        patient_id text,
        model_version text NOT NULL,
        request_id text,
        attempts integer NOT NULL DEFAULT 0,
        observation_id text,
        diagnostic_report_id text,
        authored_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX scoring_task_status_idx ON scoring_task (status)`);

    await queryRunner.query(`
      CREATE TABLE brixia_result (
        id text PRIMARY KEY,
        task_id text UNIQUE REFERENCES scoring_task(id),
        patient_id text NOT NULL,
        imaging_study_id text REFERENCES imaging_study(id),
        identifier_system text NOT NULL,
        identifier_value text NOT NULL,
        acquired_at timestamptz NOT NULL,
        issued_at timestamptz NOT NULL,
        global_score integer NOT NULL CHECK (global_score BETWEEN 0 AND 18),
        zone_scores jsonb NOT NULL,
        probabilities jsonb,
        model_version text,
        model_sha256 text,
        method text NOT NULL,
        status text NOT NULL,
        version_id integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (identifier_system, identifier_value)
      )`);
    await queryRunner.query(`CREATE INDEX brixia_result_timeline_idx ON brixia_result (patient_id, acquired_at)`);

    await queryRunner.query(`
      CREATE TABLE fhir_resource (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id integer NOT NULL DEFAULT 1,
        resource jsonb NOT NULL,
        last_updated timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (resource_type, id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['fhir_resource', 'brixia_result', 'scoring_task', 'stored_image', 'imaging_study']) {
      await queryRunner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
