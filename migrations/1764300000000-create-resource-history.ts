import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Versions (FHIR vread and _history, http://hl7.org/fhir/R4/http.html#vread): every version of a
 * published resource is kept in fhir_resource_history, and every version of a scoring Task (a
 * snapshot of its record) in scoring_task_history. Triggers write them, so no write path (scoring,
 * reviews, explanations) can forget; existing rows become their current version. A GIN index on the
 * stored JSON serves search (jsonb containment).
 */
export class CreateResourceHistory1764300000000 implements MigrationInterface {
  name = 'CreateResourceHistory1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE fhir_resource_history (
        resource_type text NOT NULL,
        id text NOT NULL,
        version_id integer NOT NULL,
        resource jsonb NOT NULL,
        last_updated timestamptz NOT NULL,
        PRIMARY KEY (resource_type, id, version_id)
      )`);
    await queryRunner.query(`CREATE INDEX fhir_resource_history_updated_idx ON fhir_resource_history (resource_type, last_updated)`);
    await queryRunner.query(`
      CREATE FUNCTION fhir_resource_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A rewrite at the same version (identical content re-put) keeps the version's first instant.
        IF TG_OP = 'INSERT' OR NEW.version_id <> OLD.version_id THEN
          INSERT INTO fhir_resource_history (resource_type, id, version_id, resource, last_updated)
          VALUES (NEW.resource_type, NEW.id, NEW.version_id, NEW.resource, NEW.last_updated)
          ON CONFLICT (resource_type, id, version_id) DO UPDATE SET resource = EXCLUDED.resource, last_updated = EXCLUDED.last_updated;
        ELSIF NEW.resource IS DISTINCT FROM OLD.resource THEN
          UPDATE fhir_resource_history SET resource = NEW.resource
           WHERE resource_type = NEW.resource_type AND id = NEW.id AND version_id = NEW.version_id;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER fhir_resource_history_trg AFTER INSERT OR UPDATE ON fhir_resource FOR EACH ROW EXECUTE FUNCTION fhir_resource_keep_version()`);
    await queryRunner.query(`INSERT INTO fhir_resource_history (resource_type, id, version_id, resource, last_updated) SELECT resource_type, id, version_id, resource, last_updated FROM fhir_resource`);
    await queryRunner.query(`CREATE INDEX fhir_resource_content_idx ON fhir_resource USING gin (resource jsonb_path_ops)`);

    await queryRunner.query(`ALTER TABLE scoring_task ADD COLUMN version_id integer NOT NULL DEFAULT 1`);
    await queryRunner.query(`
      CREATE TABLE scoring_task_history (
        task_id text NOT NULL,
        version_id integer NOT NULL,
        snapshot jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (task_id, version_id)
      )`);
    await queryRunner.query(`CREATE INDEX scoring_task_history_recorded_idx ON scoring_task_history (recorded_at)`);
    await queryRunner.query(`
      CREATE FUNCTION scoring_task_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A new version when what the Task shows changes (attempts and lease bookkeeping do not count).
        IF (NEW.status, NEW.business_status, NEW.failure, NEW.observation_id, NEW.diagnostic_report_id, NEW.imaging_study_id, NEW.patient_id)
           IS DISTINCT FROM (OLD.status, OLD.business_status, OLD.failure, OLD.observation_id, OLD.diagnostic_report_id, OLD.imaging_study_id, OLD.patient_id) THEN
          NEW.version_id := OLD.version_id + 1;
        ELSE
          NEW.version_id := OLD.version_id;
        END IF;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER scoring_task_version_trg BEFORE UPDATE ON scoring_task FOR EACH ROW EXECUTE FUNCTION scoring_task_bump_version()`);
    await queryRunner.query(`
      CREATE FUNCTION scoring_task_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO scoring_task_history (task_id, version_id, snapshot, recorded_at)
        VALUES (NEW.id, NEW.version_id, to_jsonb(NEW), NEW.updated_at)
        ON CONFLICT (task_id, version_id) DO UPDATE SET snapshot = EXCLUDED.snapshot;
        RETURN NEW;
      END $$`);
    await queryRunner.query(`CREATE TRIGGER scoring_task_history_trg AFTER INSERT OR UPDATE ON scoring_task FOR EACH ROW EXECUTE FUNCTION scoring_task_keep_version()`);
    await queryRunner.query(`INSERT INTO scoring_task_history (task_id, version_id, snapshot, recorded_at) SELECT id, version_id, to_jsonb(t), updated_at FROM scoring_task t`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER scoring_task_history_trg ON scoring_task`);
    await queryRunner.query(`DROP TRIGGER scoring_task_version_trg ON scoring_task`);
    await queryRunner.query(`DROP FUNCTION scoring_task_keep_version()`);
    await queryRunner.query(`DROP FUNCTION scoring_task_bump_version()`);
    await queryRunner.query(`DROP TABLE scoring_task_history`);
    await queryRunner.query(`ALTER TABLE scoring_task DROP COLUMN version_id`);
    await queryRunner.query(`DROP INDEX fhir_resource_content_idx`);
    await queryRunner.query(`DROP TRIGGER fhir_resource_history_trg ON fhir_resource`);
    await queryRunner.query(`DROP FUNCTION fhir_resource_keep_version()`);
    await queryRunner.query(`DROP TABLE fhir_resource_history`);
  }
}
