import { createHash, randomUUID } from 'node:crypto';
import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, type Database } from './database';
import { PgBossJobQueue, type ScoringJob } from './job-queue.adapter';
import type { ScoringStore } from './scoring-store.repository';
import { createStores } from './stores';
import { createTestDatabase } from './testing';

const modes: Array<[string, () => Promise<string | undefined>]> = [
  ['postgres', () => createTestDatabase('persistence_store')],
  ['embedded pglite', async () => undefined],
];

describe.each(modes)('ScoringStore on %s', (_mode, makeUrl) => {
  let database: Database;
  let queue: PgBossJobQueue;
  let store: ScoringStore;

  // A wide bound: PGlite's WebAssembly start-up and the migrations took over 60 s on a loaded 2-core machine.
  beforeAll(async () => {
    database = await openDatabase({ url: await makeUrl(), embeddedDataDir: 'memory://', migrations: MIGRATIONS });
    queue = await PgBossJobQueue.start(database.dataSource, { retry: { maxAttempts: 2, baseDelayMs: 1000 } });
    store = createStores(database.dataSource, queue).scoring;
  }, 180_000);

  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });

  const request = (bytes: string, patientId = 'p1', studyInstanceUid: string | null = null) => {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const studyId = randomUUID();
    return {
      study: { id: studyId, patientId, studyInstanceUid, source: 'upload' as const, resource: { resourceType: 'ImagingStudy', id: studyId, status: 'available', subject: { reference: `Patient/${patientId}` } } as fhir4.ImagingStudy },
      image: { sha256, imageKey: `sha256:${sha256}`, contentType: 'image/png', content: Buffer.from(bytes), sopInstanceUid: null, seriesInstanceUid: null, metadata: { format: 'png' } },
      request: { dedupeKey: `${patientId}|sha256:${sha256}|0.1.0`, modelVersion: '0.1.0' },
    };
  };
  const rowsOf = async (patientId: string): Promise<{ tasks: number; studies: number; images: number }> => {
    const [row] = (await database.dataSource.query(
      `SELECT (SELECT count(*) FROM scoring_task WHERE patient_id = $1)::int AS tasks, (SELECT count(*) FROM imaging_study WHERE patient_id = $1)::int AS studies,
              (SELECT count(*) FROM stored_image WHERE patient_id = $1)::int AS images`,
      [patientId],
    )) as Array<{ tasks: number; studies: number; images: number }>;
    return row;
  };

  it('records a request with its job once, and returns the same task on resubmission', async () => {
    const received: ScoringJob[] = [];
    await queue.workScoring(async (job) => {
      received.push(job);
    });
    const first = await store.recordScoringRequest(request('image-1'));
    const again = await store.recordScoringRequest(request('image-1'));
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.task.id).toBe(first.task.id);
    const deadline = Date.now() + 15_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([{ taskId: first.task.id }]);
    const content = await store.loadImageContent(first.task.imageId as string);
    expect(content?.content.toString()).toBe('image-1');
  });

  it('completes a task atomically and a redo stays a single result', async () => {
    const { task } = await store.recordScoringRequest(request('image-2'));
    const observation = { resourceType: 'Observation', id: randomUUID(), status: 'preliminary', code: { text: 'Brixia score' } } as fhir4.Observation;
    const completion = {
      taskId: task.id,
      result: {
        id: observation.id as string, taskId: task.id, patientId: 'p1', imagingStudyId: task.imagingStudyId,
        identifierSystem: 'urn:test', identifierValue: task.dedupeKey, acquiredAt: new Date('2024-03-01T10:00:00Z'), issuedAt: new Date(),
        globalScore: 7, zoneScores: { A: 1, B: 1, C: 2, D: 1, E: 1, F: 1 } as const, probabilities: null,
        modelVersion: '0.1.0', modelSha256: 'abc', method: 'bsnet-automated', status: 'preliminary', instanceQuality: null, supersededBy: null, alignment: null,
      },
      resources: [observation],
      expectedPoint: null,
    };
    await store.completeScoring(completion);
    await store.completeScoring(completion);
    const done = await store.findTask(task.id);
    expect(done?.status).toBe('completed');
    expect(done?.observationId).toBe(observation.id);
    const { results, total } = await store.listResults({ patientId: 'p1' });
    expect(total).toBe(1);
    expect(results[0].globalScore).toBe(7);
    expect((await store.findResource('Observation', observation.id as string))?.versionId).toBe(1);
  });

  /** Two instances (images) of one study for one patient, recorded as two Tasks. */
  const twoInstances = async (uid: string) => {
    const first = await store.recordScoringRequest(request(`${uid}-1`, 'p-study', uid));
    const second = await store.recordScoringRequest(request(`${uid}-2`, 'p-study', uid));
    expect(second.task.imagingStudyId).toBe(first.task.imagingStudyId);
    return [first.task, second.task];
  };
  const completionFor = (task: { id: string; imagingStudyId: string | null; dedupeKey: string }, expectedPoint: { observationId: string; versionId: number } | null, supersedes?: string) => {
    const id = randomUUID();
    return {
      taskId: task.id,
      result: {
        id, taskId: task.id, patientId: 'p-study', imagingStudyId: task.imagingStudyId, identifierSystem: 'urn:test', identifierValue: task.dedupeKey,
        acquiredAt: new Date('2024-03-01T10:00:00Z'), issuedAt: new Date(), globalScore: 5, zoneScores: { A: 1, B: 1, C: 1, D: 1, E: 1, F: 0 } as const, probabilities: null,
        modelVersion: '0.1.0', modelSha256: 'abc', method: 'bsnet-automated', status: 'preliminary',
        instanceQuality: { viewPosition: 'PA' as const, lungEvidence: 0.8, shortSidePx: 512 }, supersededBy: null, alignment: null,
      },
      resources: [{ resourceType: 'Observation', id, status: 'preliminary', code: { text: 'Brixia score' } } as fhir4.Observation],
      expectedPoint,
      ...(supersedes ? { supersedes: { observationId: supersedes, reason: 'a better instance' } } : {}),
    };
  };
  const livePoints = async (studyId: string | null): Promise<string[]> =>
    ((await database.dataSource.query(`SELECT id FROM brixia_result WHERE imaging_study_id = $1 AND superseded_by IS NULL`, [studyId])) as Array<{ id: string }>).map((r) => r.id);

  it('holds one timeline point per study: of two instances completed at once against no point, one completes and the other must decide again', async () => {
    for (const round of [1, 2, 3]) {
      const [a, b] = await twoInstances(`2.25.8800${round}`);
      const outcomes = await Promise.all([store.completeScoring(completionFor(a, null)), store.completeScoring(completionFor(b, null))]);
      expect(outcomes.map((o) => o.state).sort()).toEqual(['completed', 'point-changed']);
      const loser = outcomes[0].state === 'completed' ? b : a;
      expect(await livePoints(a.imagingStudyId)).toHaveLength(1);
      expect((await store.findTask(loser.id))?.status).toBe('requested');
      // The loser, deciding again against the point it now reads, can be skipped.
      const point = await store.findStudyPoint(a.imagingStudyId as string, '0.1.0', loser.id);
      expect(point).toMatchObject({ versionId: 1, status: 'preliminary', quality: { viewPosition: 'PA' } });
      const skipped = await store.skipScoring(loser.id, point, { reason: 'no better', pointObservationId: point?.observationId as string });
      expect(skipped.state).toBe('skipped');
      expect(await store.findTask(loser.id)).toMatchObject({ status: 'completed', businessStatus: 'skipped' });
    }
  });

  it('supersedes a point only at the version decided against; the superseded result leaves the timeline and its Task says so', async () => {
    const [a, b] = await twoInstances('2.25.8811');
    const first = completionFor(a, null);
    expect((await store.completeScoring(first)).state).toBe('completed');
    const point = await store.findStudyPoint(a.imagingStudyId as string, '0.1.0', b.id);
    expect(point?.observationId).toBe(first.result.id);
    // A review meanwhile (version 2): the decision against version 1 is stale, nothing is written.
    await database.dataSource.query(`UPDATE brixia_result SET version_id = 2 WHERE id = $1`, [first.result.id]);
    expect((await store.completeScoring(completionFor(b, { observationId: first.result.id, versionId: 1 }, first.result.id))).state).toBe('point-changed');
    expect(await livePoints(a.imagingStudyId)).toEqual([first.result.id]);

    const better = completionFor(b, { observationId: first.result.id, versionId: 2 }, first.result.id);
    expect((await store.completeScoring(better)).state).toBe('completed');
    expect(await livePoints(a.imagingStudyId)).toEqual([better.result.id]);
    expect(await store.findTask(a.id)).toMatchObject({ status: 'completed', businessStatus: 'superseded', observationId: first.result.id, skipped: { pointObservationId: better.result.id, superseded: true } });
    const { results } = await store.listResults({ patientId: 'p-study' });
    expect(results.find((r) => r.id === first.result.id)?.supersededBy).toBe(better.result.id);
    // The index holds one live ranked point even against a writer that skips the lock.
    await expect(
      database.dataSource.query(
        `INSERT INTO brixia_result (id, task_id, patient_id, imaging_study_id, identifier_system, identifier_value, acquired_at, issued_at, global_score, zone_scores, model_version, method, status, instance_quality)
         SELECT $1, task_id, patient_id, imaging_study_id, identifier_system, identifier_value || '-x', acquired_at, issued_at, global_score, zone_scores, model_version, method, status, instance_quality FROM brixia_result WHERE id = $2`,
        [randomUUID(), better.result.id],
      ),
    ).rejects.toThrow(/brixia_result_study_point_uq|duplicate key|unique/i);
  });

  it('lets one of concurrent requests for one image and two patients win, by the unique index; the other records nothing', async () => {
    for (const round of [1, 2, 3]) {
      const [a, b] = [`race-a-${round}`, `race-b-${round}`];
      const settled = await Promise.allSettled([a, b, a, b].map((patient) => store.recordScoringRequest(request(`race-image-${round}`, patient))));
      const recorded = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as { code?: string }] : []));
      const winner = recorded[0].task.patientId as string;
      // Both requests of the winning patient answer its one Task; both of the other are refused.
      expect(recorded.map((r) => [r.task.patientId, r.task.id])).toEqual([[winner, recorded[0].task.id], [winner, recorded[0].task.id]]);
      expect(refused.map((e) => e.code)).toEqual(['IMAGING.PATIENT_CONFLICT', 'IMAGING.PATIENT_CONFLICT']);
      expect(await rowsOf(winner === a ? b : a)).toEqual({ tasks: 0, studies: 0, images: 0 });
      expect(await rowsOf(winner)).toEqual({ tasks: 1, studies: 1, images: 1 });
    }
  });

  it('refuses a StudyInstanceUID held for another patient, and starts a new Task after a failed one', async () => {
    await store.recordScoringRequest(request('study-image-1', 'uid-a', '2.25.4242'));
    await expect(store.recordScoringRequest(request('study-image-2', 'uid-b', '2.25.4242'))).rejects.toMatchObject({ code: 'IMAGING.PATIENT_CONFLICT' });
    expect(await rowsOf('uid-b')).toEqual({ tasks: 0, studies: 0, images: 0 });

    const failing = { ...request('refused-image', 'p-retry'), request: { ...request('refused-image', 'p-retry').request, failure: { code: 'IMAGING.NOT_AN_IMAGE', message: 'no' } } };
    const first = await store.recordScoringRequest(failing);
    const second = await store.recordScoringRequest(failing);
    expect(first.task.status).toBe('failed');
    expect(second.created).toBe(true);
    expect(second.task.id).not.toBe(first.task.id);
  });
});
