import { createHash, randomUUID } from 'node:crypto';
import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, type Database } from './database';
import { OutboxMessageEntity } from './entities';
import { OutboxStore } from './outbox.repository';
import type { ScoringStore } from './scoring-store.repository';
import { createStores } from './stores';
import { createTestDatabase } from './testing';

const modes: Array<[string, () => Promise<string | undefined>]> = [
  ['postgres', () => createTestDatabase('persistence_outbox')],
  ['embedded pglite', async () => undefined],
];

describe.each(modes)('OutboxStore on %s', (_mode, makeUrl) => {
  let database: Database;
  let scoring: ScoringStore;
  let outbox: OutboxStore;

  beforeAll(async () => {
    database = await openDatabase({ url: await makeUrl(), embeddedDataDir: 'memory://', migrations: MIGRATIONS });
    scoring = createStores(database.dataSource, { enqueueScoring: async () => undefined, wake: () => undefined }).scoring;
    outbox = new OutboxStore(database.dataSource);
  });

  afterAll(async () => {
    await database?.close();
  });

  /** A completed scoring whose result is queued for an EHR (as processScoringJob does). */
  async function publishedResult(): Promise<{ taskId: string; resultId: string; messageId: string }> {
    const sha256 = createHash('sha256').update(randomUUID()).digest('hex');
    const studyId = randomUUID();
    const { task } = await scoring.recordScoringRequest({
      study: { id: studyId, patientId: 'p1', studyInstanceUid: null, source: 'upload', resource: { resourceType: 'ImagingStudy', id: studyId, status: 'available', subject: { reference: 'Patient/p1' } } },
      image: { sha256, imageKey: `sha256:${sha256}`, contentType: 'image/png', content: Buffer.from(sha256), sopInstanceUid: null, seriesInstanceUid: null, metadata: { format: 'png' } },
      request: { dedupeKey: `p1|sha256:${sha256}|0.1.0`, modelVersion: '0.1.0' },
    });
    const resultId = randomUUID();
    const messageId = randomUUID();
    await scoring.completeScoring({
      taskId: task.id,
      result: {
        id: resultId, taskId: task.id, patientId: 'p1', imagingStudyId: task.imagingStudyId, identifierSystem: 'urn:test', identifierValue: task.dedupeKey,
        acquiredAt: new Date('2024-03-01T10:00:00Z'), issuedAt: new Date(), globalScore: 7, zoneScores: { A: 1, B: 1, C: 2, D: 1, E: 1, F: 1 }, probabilities: null,
        modelVersion: '0.1.0', modelSha256: 'abc', method: 'bsnet-automated', status: 'preliminary', instanceQuality: null, supersededBy: null, alignment: null,
      },
      resources: [{ resourceType: 'Observation', id: resultId, status: 'preliminary', code: { text: 'Brixia score' } }],
      expectedPoint: null,
      outbox: { id: messageId, resultId, taskId: task.id, kind: 'result', destination: 'https://ehr.example.org/fhir', payload: { resources: [] } },
    });
    return { taskId: task.id, resultId, messageId };
  }

  const businessStatus = async (taskId: string): Promise<string | undefined> => (await scoring.findTask(taskId))?.businessStatus;

  it('keeps one result message per result, and any number of revisions', async () => {
    const { resultId, taskId } = await publishedResult();
    const message = { resultId, taskId, destination: 'https://ehr.example.org/fhir', payload: { resources: [] }, state: 'pending' as const, attempts: 0 };
    await expect(database.dataSource.manager.insert(OutboxMessageEntity, { ...message, id: randomUUID(), kind: 'result' })).rejects.toThrow();
    for (const resultVersion of [2, 3]) await database.dataSource.manager.insert(OutboxMessageEntity, { ...message, id: randomUUID(), kind: 'revision', payload: { resources: [], resultVersion } });
    expect((await outbox.listByResult(resultId)).map((m) => [m.kind, m.payload.resultVersion ?? null])).toEqual([['result', null], ['revision', 2], ['revision', 3]]);
    expect((await outbox.findByResult(resultId))?.kind).toBe('result');
  });

  it('lets only the result message move the Task: a dead or redelivered revision leaves it as it is', async () => {
    const { taskId, resultId, messageId } = await publishedResult();
    expect(await businessStatus(taskId)).toBe('publishing');
    const revisionId = randomUUID();
    await database.dataSource.manager.insert(OutboxMessageEntity, {
      id: revisionId, resultId, taskId, kind: 'revision', destination: 'https://ehr.example.org/fhir', payload: { resources: [], resultVersion: 2 }, state: 'pending', attempts: 0,
    });
    await outbox.markDelivered(messageId, {});
    expect(await businessStatus(taskId)).toBe('done');
    await outbox.markFailed(revisionId, 'UPSTREAM.INVALID_RESPONSE: refused', null, {});
    expect((await outbox.findById(revisionId))?.state).toBe('dead');
    expect(await businessStatus(taskId)).toBe('done');
    await outbox.redeliver(revisionId);
    expect(await businessStatus(taskId)).toBe('done');
    await outbox.redeliver(messageId);
    expect(await businessStatus(taskId)).toBe('publishing');
  });

  it('keeps a delivered Task done when a redelivered job of it reports progress or a failure late', async () => {
    // Scale-out: a job redone after its expiry runs beside the first; the first one's result is published,
    // then the late one marks progress and fails the Task.
    const { taskId, messageId } = await publishedResult();
    await outbox.markDelivered(messageId, {});
    await scoring.markTaskProgress(taskId, 'in-progress', 'publishing');
    await scoring.markTaskProgress(taskId, 'requested', 'queued');
    await scoring.failTask(taskId, { code: 'UPSTREAM.UNAVAILABLE', message: 'late' });
    const task = await scoring.findTask(taskId);
    expect([task?.status, task?.businessStatus, task?.failure ?? null]).toEqual(['completed', 'done', null]);
  });
});
