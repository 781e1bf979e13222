import { createHash, randomUUID } from 'node:crypto';
import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, type Database } from './database';
import { PgBossJobQueue, type ScoringJob } from './job-queue.adapter';
import { ScoringStore } from './scoring-store.repository';
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
    store = new ScoringStore(database.dataSource, queue);
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
        modelVersion: '0.1.0', modelSha256: 'abc', method: 'bsnet-automated', status: 'preliminary',
      },
      resources: [observation],
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
