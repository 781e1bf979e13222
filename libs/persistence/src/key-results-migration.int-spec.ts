import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, type Database } from './database';
import { PgBossJobQueue } from './job-queue.adapter';
import { createStores } from './stores';
import { createTestDatabase } from './testing';

/**
 * migrations/1764280000000-key-results-by-patient.ts on a database that already holds rows written under
 * the old key (image hash + model version), including the cases the old key let through: one SOP instance
 * stored twice, and a Task of one patient on another patient's image (a model upgrade re-used the image row).
 */
describe('KeyResultsByPatient migration on existing rows (PostgreSQL)', () => {
  let database: Database;
  let queue: PgBossJobQueue;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase('persistence_key_migration');
    const before = await openDatabase({ url, migrations: MIGRATIONS.filter((m) => m.name !== 'KeyResultsByPatient1764280000000') });
    const q = (sql: string, params: unknown[] = []): Promise<unknown> => before.dataSource.query(sql, params);
    const study = `INSERT INTO imaging_study (id, patient_id, study_instance_uid, source, resource) VALUES ($1, $2, $3, 'upload', '{}')`;
    await q(study, ['s1', 'pa', '2.25.1']);
    await q(study, ['s2', 'pb', null]);
    await q(study, ['s3', 'pa', '2.25.3']);
    const image = `INSERT INTO stored_image (id, sha256, imaging_study_id, content_type, byte_size, content, sop_instance_uid, metadata, created_at)
                   VALUES ($1, $2, $3, 'application/dicom', 1, '\\x00', $4, '{}', $5)`;
    await q(image, ['i1', 'h1', 's1', '2.25.1.1', '2024-01-01T00:00:00Z']);
    await q(image, ['i2', 'h2', 's2', null, '2024-01-02T00:00:00Z']);
    await q(image, ['i3', 'h3', 's3', '2.25.1.1', '2024-01-03T00:00:00Z']);
    const task = `INSERT INTO scoring_task (id, dedupe_key, status, business_status, imaging_study_id, image_id, patient_id, model_version)
                  VALUES ($1, $2, $3, 'done', $4, $5, $6, $7)`;
    await q(task, ['t1', 'h1:0.1.0', 'completed', 's1', 'i1', 'pa', '0.1.0']);
    await q(task, ['t2', 'h2:0.1.0', 'failed', 's2', 'i2', 'pb', '0.1.0']);
    await q(task, ['t3', 'h3:0.1.0', 'completed', 's3', 'i3', 'pa', '0.1.0']);
    await q(task, ['t4', `ehr-${'ab'.repeat(32)}:0.1.0`, 'completed', 's1', null, 'pa', '0.1.0']);
    await q(task, ['t5', 'h1:0.2.0', 'completed', 's2', 'i1', 'pb', '0.2.0']);
    await q(
      `INSERT INTO brixia_result (id, task_id, patient_id, imaging_study_id, identifier_system, identifier_value, acquired_at, issued_at, global_score, zone_scores, method, status)
       VALUES ('r1', 't1', 'pa', 's1', 'urn:x', 'v1', now(), now(), 3, '{}', 'bsnet-automated', 'final')`,
    );
    await before.close();
    database = await openDatabase({ url, migrations: MIGRATIONS });
    queue = await PgBossJobQueue.start(database.dataSource, { retry: { maxAttempts: 2, baseDelayMs: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });

  const column = async (sql: string): Promise<Record<string, string>> =>
    Object.fromEntries(((await database.dataSource.query(sql)) as Array<{ id: string; value: string }>).map((row) => [row.id, row.value]));

  it('gives images their patient and key (the earliest holder of a duplicated SOP instance keeps the plain key)', async () => {
    expect(await column(`SELECT id, patient_id || ' ' || image_key AS value FROM stored_image ORDER BY id`)).toEqual({
      i1: 'pa sop:2.25.1.1',
      i2: 'pb sha256:h2',
      i3: 'pa sop:2.25.1.1#i3',
    });
  });

  it('rewrites every Task key as patient | image | model version', async () => {
    expect(await column(`SELECT id, dedupe_key AS value FROM scoring_task ORDER BY id`)).toEqual({
      t1: 'pa|sop:2.25.1.1|0.1.0',
      t2: 'pb|sha256:h2|0.1.0',
      t3: 'pa|sop:2.25.1.1#i3|0.1.0',
      t4: `pa|ehr:${'ab'.repeat(32)}|0.1.0`,
      t5: 'pb|sop:2.25.1.1|0.2.0',
    });
  });

  it('enforces the patient foreign keys for new rows, validated only where the old rows satisfy them', async () => {
    expect(await column(`SELECT conname AS id, convalidated::text AS value FROM pg_constraint WHERE conname IN ('scoring_task_image_patient_fk', 'brixia_result_task_patient_fk') ORDER BY 1`)).toEqual({
      brixia_result_task_patient_fk: 'true',
      // t5 (patient pb on pa's image) predates the rule.
      scoring_task_image_patient_fk: 'false',
    });
    await expect(
      database.dataSource.query(`INSERT INTO scoring_task (id, dedupe_key, status, business_status, image_id, patient_id, model_version) VALUES ('t6', 'x', 'requested', 'queued', 'i2', 'pa', '0.1.0')`),
    ).rejects.toThrow(/scoring_task_image_patient_fk/);
  });

  it('lets the store find the old Tasks under the new keys, and start a new attempt where the old one failed', async () => {
    const store = createStores(database.dataSource, queue).scoring;
    const study = { id: 'new-study', patientId: 'pa', studyInstanceUid: '2.25.1', source: 'upload' as const, resource: { resourceType: 'ImagingStudy', status: 'available' } as fhir4.ImagingStudy };
    const again = await store.recordScoringRequest({ study, existingImageId: 'i1', request: { dedupeKey: 'pa|sop:2.25.1.1|0.1.0', modelVersion: '0.1.0' } });
    expect([again.created, again.task.id]).toEqual([false, 't1']);
    const retry = await store.recordScoringRequest({ study: { ...study, id: 's2', patientId: 'pb', studyInstanceUid: null }, existingImageId: 'i2', request: { dedupeKey: 'pb|sha256:h2|0.1.0', modelVersion: '0.1.0' } });
    expect(retry.created).toBe(true);
    expect(retry.task.id).not.toBe('t2');
  }, 60_000);
});
