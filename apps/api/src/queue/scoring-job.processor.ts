import type { ScoreModel } from '@brixia/inference';
import type { JobQueue } from '@brixia/persistence';
import { processScoringJob, type ScoringContext } from '@brixia/scoring';

/**
 * The queue processor of scoring jobs (roles `all` and `worker`): each job the queue delivers runs
 * processScoringJob with the scoring context and the loaded model, `concurrency` jobs at a time.
 * Retries, expiry and dead-lettering belong to the queue (docs/operations.md "Retries").
 */
export async function startScoringJobProcessor(queue: Pick<JobQueue, 'workScoring'>, scoring: ScoringContext, model: ScoreModel, concurrency: number): Promise<void> {
  await queue.workScoring((job, context) => processScoringJob(scoring, model, job, context), concurrency);
}
