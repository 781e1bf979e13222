import { silentLogger } from '@brixia/common';
import type { ScoreModel } from '@brixia/inference';
import type { ExplanationJob, ScoringStore, ScoringTaskRecord } from '@brixia/persistence';
import { DeferredExplanations, renderDeferredExplanations } from './deferred-explanations';
import type { HeldExplanationInput } from './recover-explanations';
import type { ScoringContext } from './scoring-context';
import { TaskCompletionNotifier } from './task-completion';

/**
 * The hand-off of explanation overlays from a scoring job: what the process holds for the render, what
 * happens when more are pending than held, and that a render waits for idle scoring (bounded) and
 * renders nothing for a Task that is not completed.
 */
const held = (n: number): HeldExplanationInput => ({ radiograph: { width: 1, height: 1, pixels: new Uint8Array([n]) }, output: {} as HeldExplanationInput['output'], created: '2026-12-02T00:00:00Z' });

describe('DeferredExplanations', () => {
  it('records the job and holds the input until the render takes it, once', async () => {
    const enqueued: ExplanationJob[] = [];
    const deferred = new DeferredExplanations(async (job) => void enqueued.push(job));
    await deferred.defer('task-1', held(1));
    expect(enqueued).toEqual([{ taskId: 'task-1' }]);
    expect(deferred.take('task-1')?.radiograph.pixels[0]).toBe(1);
    expect(deferred.take('task-1')).toBeUndefined();
  });

  it('drops the oldest held inputs beyond its bound (their renders decode the stored image again)', async () => {
    const deferred = new DeferredExplanations(async () => undefined, 2);
    for (const n of [1, 2, 3]) await deferred.defer(`task-${n}`, held(n));
    expect(deferred.heldCount).toBe(2);
    expect(deferred.take('task-1')).toBeUndefined();
    expect(deferred.take('task-3')?.radiograph.pixels[0]).toBe(3);
  });

  it('holds nothing when the job could not be recorded (the scoring job fails and is retried)', async () => {
    const deferred = new DeferredExplanations(async () => {
      throw new Error('connection terminated unexpectedly');
    });
    await expect(deferred.defer('task-1', held(1))).rejects.toThrow('connection terminated');
    expect(deferred.heldCount).toBe(0);
  });
});

describe('renderDeferredExplanations', () => {
  const contextWith = (task: ScoringTaskRecord | null, deferred: DeferredExplanations): { context: ScoringContext; lookups: string[] } => {
    const lookups: string[] = [];
    const store = { findTask: async (id: string) => (lookups.push(id), task) };
    const context: ScoringContext = {
      store: store as unknown as ScoringStore,
      fhir: { baseUrl: 'http://localhost/fhir', canonicalBase: 'http://localhost' },
      clock: { now: () => new Date('2026-12-02T01:00:00Z') },
      logger: silentLogger,
      completions: new TaskCompletionNotifier(),
      model: { identity: { name: 'bsnet', version: '0.1.0', sha256: 'ab'.repeat(32), preprocessingId: 'bsnet-v1' } },
      defaultTimezoneOffset: '+00:00',
      maxFutureSkewSeconds: 300,
      deferredExplanations: deferred,
    };
    return { context, lookups };
  };
  const model = {} as ScoreModel;

  it('waits until scoring has been idle for two polls in a row, then renders nothing for a Task that is not completed', async () => {
    const deferred = new DeferredExplanations(async () => undefined);
    await deferred.defer('task-1', held(1));
    const { context, lookups } = contextWith({ id: 'task-1', status: 'failed' } as ScoringTaskRecord, deferred);
    const busy = [false, true, false, true, true, true];
    let polls = 0;
    await renderDeferredExplanations(context, model, { taskId: 'task-1' }, { scoringIdle: () => busy[polls++] ?? true, stopping: () => false, maxWaitMs: 60_000, pollMs: 1 });
    expect(polls).toBe(5);
    expect(lookups).toEqual(['task-1']);
    expect(deferred.heldCount).toBe(0);
  });

  it('stops waiting at its bound while scoring stays busy, and when the queue stops', async () => {
    const deferred = new DeferredExplanations(async () => undefined);
    const { context, lookups } = contextWith(null, deferred);
    const started = Date.now();
    await renderDeferredExplanations(context, model, { taskId: 'task-1' }, { scoringIdle: () => false, stopping: () => false, maxWaitMs: 50, pollMs: 5 });
    expect(Date.now() - started).toBeLessThan(5_000);
    await renderDeferredExplanations(context, model, { taskId: 'task-2' }, { scoringIdle: () => false, stopping: () => true, maxWaitMs: 60_000, pollMs: 5 });
    expect(lookups).toEqual(['task-1', 'task-2']);
  });
});
