import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One timeline point per ImagingStudy is the best frontal instance, not the first one scored
 * (docs/fhir-profile.md, "One timeline point per ImagingStudy"):
 * - brixia_result.instance_quality: what ranking compares (projection, lung evidence, resolution); null for
 *   results recorded before, which are never displaced (nothing to compare them with);
 * - brixia_result.superseded_by: the result that replaced this one as its study's point; a superseded result
 *   stays a valid FHIR Observation but leaves the timeline;
 * - brixia_result.alignment: the model's alignment θ of the scored image, so the zone boxes can be drawn over
 *   the radiograph later (GraphQL Assessment.zoneBoxes); null for results recorded before;
 * - a unique index holds one ranked, live point per study and model version, so two instances scored at the
 *   same time can never both become the point (the study row lock serialises them; the index is the guarantee).
 */
export class RankStudyInstances1764310000000 implements MigrationInterface {
  name = 'RankStudyInstances1764310000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE brixia_result ADD COLUMN instance_quality jsonb, ADD COLUMN superseded_by text, ADD COLUMN alignment jsonb`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX brixia_result_study_point_uq ON brixia_result (imaging_study_id, model_version)
      WHERE imaging_study_id IS NOT NULL AND task_id IS NOT NULL AND instance_quality IS NOT NULL AND superseded_by IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX brixia_result_study_point_uq`);
    await queryRunner.query(`ALTER TABLE brixia_result DROP COLUMN alignment, DROP COLUMN superseded_by, DROP COLUMN instance_quality`);
  }
}
