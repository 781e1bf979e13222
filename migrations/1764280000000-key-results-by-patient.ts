import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The identity of a result is (patient, image, model version), held by the database:
 * - stored_image gains its patient and its image key (`sop:<SOPInstanceUID>` for DICOM, else `sha256:<hex>`),
 *   unique: an image belongs to one patient, so the same pixels (or SOP instance) for another patient is a
 *   conflict decided by the unique index, never by a read-then-write;
 * - scoring_task.dedupe_key becomes `<patient>|<image key>|<model version>` (`<patient>|ehr:<url hash>|…` for EHR
 *   studies) and is unique only among Tasks that did not fail, so resubmitting after a failure starts a new attempt;
 * - composite foreign keys tie a Task's patient to its image's and a result's patient to its Task's;
 * - scoring_task.skipped records an instance left out of the timeline (its study already has its point).
 * Rows written before this migration: images take their study's patient; legacy duplicates (same SOP instance
 * stored twice, or two live Tasks now sharing a key) keep the earliest as the holder of the key and the others
 * a key suffixed with their id. The foreign keys are validated when the existing rows satisfy them, and
 * otherwise enforced for new rows only (NOT VALID) so that the migration never fails on old data.
 */
export class KeyResultsByPatient1764280000000 implements MigrationInterface {
  name = 'KeyResultsByPatient1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stored_image ADD COLUMN patient_id text, ADD COLUMN image_key text`);
    await queryRunner.query(`
      UPDATE stored_image i SET patient_id = s.patient_id,
        image_key = CASE WHEN btrim(i.sop_instance_uid) <> '' THEN 'sop:' || btrim(i.sop_instance_uid) ELSE 'sha256:' || i.sha256 END
      FROM imaging_study s WHERE s.id = i.imaging_study_id`);
    await queryRunner.query(`
      UPDATE stored_image i SET image_key = i.image_key || '#' || i.id
      FROM (SELECT id, row_number() OVER (PARTITION BY image_key ORDER BY created_at, id) AS n FROM stored_image) d
      WHERE d.id = i.id AND d.n > 1`);
    await queryRunner.query(`ALTER TABLE stored_image ALTER COLUMN patient_id SET NOT NULL, ALTER COLUMN image_key SET NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX stored_image_key_uq ON stored_image (image_key)`);
    await queryRunner.query(`ALTER TABLE stored_image ADD CONSTRAINT stored_image_id_patient_uq UNIQUE (id, patient_id)`);

    await queryRunner.query(`ALTER TABLE scoring_task DROP CONSTRAINT scoring_task_dedupe_key_key`);
    await queryRunner.query(`ALTER TABLE scoring_task ADD COLUMN skipped jsonb`);
    // Tasks of uploads: the image key of their image (legacy keys were `<sha256>:<model>`).
    await queryRunner.query(`
      UPDATE scoring_task t SET dedupe_key = coalesce(t.patient_id, '') || '|' || i.image_key || '|' || t.model_version
      FROM stored_image i WHERE i.id = t.image_id`);
    // Tasks of EHR studies (legacy `ehr-<url hash>:<model>`).
    await queryRunner.query(`
      UPDATE scoring_task SET dedupe_key = coalesce(patient_id, '') || '|ehr:' || substring(dedupe_key FROM '^ehr-([0-9a-f]+):') || '|' || model_version
      WHERE image_id IS NULL AND dedupe_key ~ '^ehr-[0-9a-f]+:'`);
    await queryRunner.query(`
      UPDATE scoring_task t SET dedupe_key = t.dedupe_key || '#' || t.id
      FROM (SELECT id, row_number() OVER (PARTITION BY dedupe_key ORDER BY authored_at, id) AS n FROM scoring_task WHERE status <> 'failed') d
      WHERE d.id = t.id AND d.n > 1`);
    await queryRunner.query(`CREATE UNIQUE INDEX scoring_task_dedupe_uq ON scoring_task (dedupe_key) WHERE status <> 'failed'`);
    await queryRunner.query(`CREATE INDEX scoring_task_dedupe_idx ON scoring_task (dedupe_key)`);
    await queryRunner.query(`ALTER TABLE scoring_task ADD CONSTRAINT scoring_task_id_patient_uq UNIQUE (id, patient_id)`);

    await queryRunner.query(
      `ALTER TABLE scoring_task ADD CONSTRAINT scoring_task_image_patient_fk FOREIGN KEY (image_id, patient_id) REFERENCES stored_image (id, patient_id) NOT VALID`,
    );
    await queryRunner.query(
      `ALTER TABLE brixia_result ADD CONSTRAINT brixia_result_task_patient_fk FOREIGN KEY (task_id, patient_id) REFERENCES scoring_task (id, patient_id) NOT VALID`,
    );
    await this.validateWhenClean(queryRunner, 'scoring_task', 'scoring_task_image_patient_fk', `
      SELECT 1 FROM scoring_task t JOIN stored_image i ON i.id = t.image_id WHERE t.patient_id IS DISTINCT FROM i.patient_id AND t.patient_id IS NOT NULL LIMIT 1`);
    await this.validateWhenClean(queryRunner, 'brixia_result', 'brixia_result_task_patient_fk', `
      SELECT 1 FROM brixia_result r LEFT JOIN scoring_task t ON t.id = r.task_id AND t.patient_id = r.patient_id WHERE r.task_id IS NOT NULL AND t.id IS NULL LIMIT 1`);
    // The timeline's one-point-per-study check reads the AI results of a study.
    await queryRunner.query(`CREATE INDEX brixia_result_study_idx ON brixia_result (imaging_study_id, model_version) WHERE imaging_study_id IS NOT NULL`);
  }

  /** VALIDATE CONSTRAINT when no existing row breaks it (rows written before it existed may). */
  private async validateWhenClean(queryRunner: QueryRunner, table: string, constraint: string, violations: string): Promise<void> {
    const found = (await queryRunner.query(violations)) as unknown[];
    if (found.length === 0) await queryRunner.query(`ALTER TABLE ${table} VALIDATE CONSTRAINT ${constraint}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX brixia_result_study_idx`);
    await queryRunner.query(`ALTER TABLE brixia_result DROP CONSTRAINT brixia_result_task_patient_fk`);
    await queryRunner.query(`ALTER TABLE scoring_task DROP CONSTRAINT scoring_task_image_patient_fk`);
    await queryRunner.query(`ALTER TABLE scoring_task DROP CONSTRAINT scoring_task_id_patient_uq`);
    await queryRunner.query(`DROP INDEX scoring_task_dedupe_idx`);
    await queryRunner.query(`DROP INDEX scoring_task_dedupe_uq`);
    // The old key held one Task per image and model whatever its state: later attempts keep a suffixed key.
    await queryRunner.query(`UPDATE scoring_task SET dedupe_key = dedupe_key || '#' || id WHERE dedupe_key IN (SELECT dedupe_key FROM scoring_task GROUP BY dedupe_key HAVING count(*) > 1)`);
    await queryRunner.query(`ALTER TABLE scoring_task ADD CONSTRAINT scoring_task_dedupe_key_key UNIQUE (dedupe_key)`);
    await queryRunner.query(`ALTER TABLE scoring_task DROP COLUMN skipped`);
    await queryRunner.query(`ALTER TABLE stored_image DROP CONSTRAINT stored_image_id_patient_uq`);
    await queryRunner.query(`DROP INDEX stored_image_key_uq`);
    await queryRunner.query(`ALTER TABLE stored_image DROP COLUMN image_key, DROP COLUMN patient_id`);
  }
}
