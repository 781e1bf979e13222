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

  beforeAll(async () => {
    database = await openDatabase({ url: await makeUrl(), embeddedDataDir: 'memory://', migrations: MIGRATIONS });
    queue = await PgBossJobQueue.start(database.dataSource, { retryLimit: 1, retryDelaySeconds: 1 });
    store = new ScoringStore(database.dataSource, queue);
  });

  afterAll(async () => {
    await queue?.stop();
    await database?.close();
  });

  const request = (bytes: string) => {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const studyId = randomUUID();
    return {
      study: { id: studyId, patientId: 'p1', studyInstanceUid: null, source: 'upload' as const, resource: { resourceType: 'ImagingStudy', id: studyId, status: 'available', subject: { reference: 'Patient/p1' } } as fhir4.ImagingStudy },
      image: { sha256, contentType: 'image/png', content: Buffer.from(bytes), sopInstanceUid: null, seriesInstanceUid: null, metadata: { format: 'png' } },
      request: { dedupeKey: `${sha256}:0.1.0`, modelVersion: '0.1.0' },
    };
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
});
