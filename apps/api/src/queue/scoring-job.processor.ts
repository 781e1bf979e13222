import type { ScoreModel } from '@brixia/inference';
import type { JobQueue } from '@brixia/persistence';
import { processScoringJob, renderDeferredExplanations, type ScoringContext } from '@brixia/scoring';

export interface ScoringProcessorOptions {
  /** Scoring jobs at a time. */
  readonly concurrency: number;
  /** How long a deferred explanation render waits for idle scoring. */
  readonly explainIdleWaitMs: number;
}

/**
 * The queue processor of scoring jobs (roles `all` and `worker`): each job the queue delivers runs
 * processScoringJob with the scoring context and the loaded model, `concurrency` jobs at a time; with
 * deferred explanations, one render at a time beside them, started once this process's scoring is idle.
 * Retries, expiry and dead-lettering belong to the queue (docs/operations.md "Retries").
 */
export async function startScoringJobProcessor(
  queue: Pick<JobQueue, 'workScoring' | 'workExplanations' | 'activeJobs'>,
  scoring: ScoringContext,
  model: ScoreModel,
  options: ScoringProcessorOptions,
): Promise<void> {
  await queue.workScoring((job, context) => processScoringJob(scoring, model, job, context), options.concurrency);
  if (scoring.deferredExplanations) {
    await queue.workExplanations((job, context) =>
      renderDeferredExplanations(scoring, model, job, { scoringIdle: () => queue.activeJobs === 0, stopping: context.stopping, maxWaitMs: options.explainIdleWaitMs }),
    );
  }
}
