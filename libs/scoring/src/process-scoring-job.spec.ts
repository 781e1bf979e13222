import { AppError, silentLogger, type ErrorCode } from '@brixia/common';
import type { ScoreModel } from '@brixia/inference';
import type { JobContext, ScoringStore, ScoringTaskRecord } from '@brixia/persistence';
import { processScoringJob } from './process-scoring-job.use-case';
import type { ScoringContext } from './scoring-context';
import { TaskCompletionNotifier } from './task-completion';

/**
 * The branches of processScoringJob that decide a Task's fate: what a failure does on a try that may
 * be retried, on the last try and when no retry can help, and what a redelivered job does to a Task
 * that is already finished or was left in progress by a worker that died. The store records what the
 * use case writes; decoding is the real decoder (bytes that are no image fail the way they do in
 * production), and these branches never reach the model.
 */
type Call = readonly [string, ...unknown[]];

const identity = { name: 'bsnet', version: '0.1.0', sha256: 'ab'.repeat(32), preprocessingId: 'bsnet-v1' };

function taskRow(overrides: Partial<ScoringTaskRecord> = {}): ScoringTaskRecord {
  return { id: 'task-1', status: 'requested', businessStatus: 'queued', attempts: 0, imageId: 'image-1', imagingStudyId: null, patientId: 'patient-1', modelVersion: identity.version, ...overrides } as ScoringTaskRecord;
}

function harness(task: ScoringTaskRecord | null, image: () => Promise<{ content: Buffer } | null>): { context: ScoringContext; model: ScoreModel; calls: Call[]; notified: string[] } {
  const calls: Call[] = [];
  const notified: string[] = [];
  const store = {
    findTask: async (id: string) => (calls.push(['findTask', id]), task),
    findStudyPoint: async () => null,
    findStudy: async () => null,
    loadImageContent: async (id: string) => (calls.push(['loadImageContent', id]), image()),
    markTaskProgress: async (...args: unknown[]) => void calls.push(['markTaskProgress', ...args]),
    failTask: async (...args: unknown[]) => void calls.push(['failTask', ...args]),
    skipTask: async (...args: unknown[]) => void calls.push(['skipTask', ...args]),
    completeScoring: async (...args: unknown[]) => (calls.push(['completeScoring', ...args]), { state: 'completed' }),
  };
  const completions = new TaskCompletionNotifier();
  completions.notify = (taskId: string): void => void notified.push(taskId);
  const context: ScoringContext = {
    store: store as unknown as ScoringStore,
    fhir: { baseUrl: 'http://localhost/fhir', canonicalBase: 'http://localhost' },
    clock: { now: () => new Date('2026-12-02T01:00:00Z') },
    logger: silentLogger,
    completions,
    model: { identity },
    defaultTimezoneOffset: '+00:00',
    maxFutureSkewSeconds: 300,
  };
  const model = {
    identity,
    executionProvider: 'cpu',
    score: async () => {
      throw new Error('these branches must not reach the model');
    },
  } as unknown as ScoreModel;
  return { context, model, calls, notified };
}

const firstTry: JobContext = { jobId: 'job-1', retryCount: 0, retryLimit: 4 };
const lastTry: JobContext = { jobId: 'job-1', retryCount: 4, retryLimit: 4 };
const writes = (calls: readonly Call[]): Call[] => calls.filter(([name]) => name !== 'findTask' && name !== 'loadImageContent');

describe('processScoringJob', () => {
  it('retryable failure before the last try: the Task goes back to the queue and the error is thrown for the queue to retry', async () => {
    const { context, model, calls, notified } = harness(taskRow(), async () => {
      throw new Error('connection terminated unexpectedly');
    });
    await expect(processScoringJob(context, model, { taskId: 'task-1' }, firstTry)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(writes(calls)).toEqual([
      ['markTaskProgress', 'task-1', 'in-progress', 'fetching', 1],
      ['markTaskProgress', 'task-1', 'requested', 'queued'],
    ]);
    expect(notified).toEqual([]);
  });

  it('retryable failure on the last try: the Task fails with the code and nothing is thrown', async () => {
    const { context, model, calls, notified } = harness(taskRow({ attempts: 4 }), async () => {
      throw new AppError('UPSTREAM.UNAVAILABLE', 'PACS unavailable');
    });
    await expect(processScoringJob(context, model, { taskId: 'task-1' }, lastTry)).resolves.toBeUndefined();
    expect(writes(calls)).toEqual([
      ['markTaskProgress', 'task-1', 'in-progress', 'fetching', 5],
      ['failTask', 'task-1', { code: 'UPSTREAM.UNAVAILABLE', message: 'PACS unavailable' }],
    ]);
    expect(notified).toEqual(['task-1']);
  });

  it('non-retryable failure on the first try: the Task fails at once, not requeued', async () => {
    const { context, model, calls, notified } = harness(taskRow(), async () => ({ content: Buffer.from('this is not a radiograph') }));
    await expect(processScoringJob(context, model, { taskId: 'task-1' }, firstTry)).resolves.toBeUndefined();
    const failed = writes(calls).find(([name]) => name === 'failTask');
    expect(failed?.[1]).toBe('task-1');
    const code = (failed?.[2] as { code: ErrorCode } | undefined)?.code;
    expect(code).toMatch(/^IMAGING\./);
    expect(new AppError(code as ErrorCode, '').spec.retryable).toBe(false);
    expect(writes(calls).some(([name, , status]) => name === 'markTaskProgress' && status === 'requested')).toBe(false);
    expect(notified).toEqual(['task-1']);
  });

  it('already completed (a redelivered job, explanations off): nothing is written or scored again', async () => {
    const { context, model, calls, notified } = harness(taskRow({ status: 'completed', businessStatus: 'done', observationId: 'obs-1', diagnosticReportId: 'dr-1' }), async () => {
      throw new Error('a completed task is not read again');
    });
    await expect(processScoringJob(context, model, { taskId: 'task-1' }, { jobId: 'job-2', retryCount: 1, retryLimit: 4 })).resolves.toBeUndefined();
    expect(calls).toEqual([['findTask', 'task-1']]);
    expect(notified).toEqual([]);
  });

  it('redelivered after the Task failed, or for a Task that no longer exists: a no-op', async () => {
    for (const task of [taskRow({ status: 'failed', businessStatus: 'failed' }), null]) {
      const { context, model, calls, notified } = harness(task, async () => null);
      await expect(processScoringJob(context, model, { taskId: 'task-1' }, { jobId: 'job-3', retryCount: 2, retryLimit: 4 })).resolves.toBeUndefined();
      expect(calls).toEqual([['findTask', 'task-1']]);
      expect(notified).toEqual([]);
    }
  });

  it('a Task without a patient fails at once with IMAGING.MISSING_PATIENT: nothing fetched, scored or filed under a made-up patient', async () => {
    const { context, model, calls, notified } = harness(taskRow({ patientId: null }), async () => {
      throw new Error('a Task without a patient is not fetched');
    });
    await expect(processScoringJob(context, model, { taskId: 'task-1' }, firstTry)).resolves.toBeUndefined();
    expect(calls.map(([name]) => name)).toEqual(['findTask', 'failTask']);
    const [, taskId, failure] = calls[1] as [string, string, { code: ErrorCode; message: string }];
    expect(taskId).toBe('task-1');
    expect(failure.code).toBe('IMAGING.MISSING_PATIENT');
    expect(new AppError(failure.code, '').spec).toMatchObject({ httpStatus: 422, retryable: false });
    expect(notified).toEqual(['task-1']);
  });

  it('redelivered while in progress (its worker died): processed again as the next try', async () => {
    const { context, model, calls } = harness(taskRow({ status: 'in-progress', businessStatus: 'inferring', attempts: 1 }), async () => null);
    await expect(processScoringJob(context, model, { taskId: 'task-1' }, { jobId: 'job-1', retryCount: 0, retryLimit: 4 })).resolves.toBeUndefined();
    expect(writes(calls)).toEqual([
      ['markTaskProgress', 'task-1', 'in-progress', 'fetching', 2],
      ['failTask', 'task-1', { code: 'IMAGING.NO_PIXELS', message: 'The image of this task is missing' }],
    ]);
  });
});
