import { toAppError, type Logger } from '@brixia/common';
import type { ScoreModel } from '@brixia/inference';
import type { JobContext, ScoringJob } from '@brixia/persistence';
import { renderMissingExplanations } from './recover-explanations';
import { resultPatientIdOf } from './result-identity';
import type { ScoringContext } from './scoring-context';
import { failureDispositionOf } from './scoring-failure';
import {
  acquisitionTimeOf,
  explainPublished,
  fetchAndPrepare,
  infer,
  loadJob,
  loadStudy,
  rankAndRecord,
  reportCompleted,
  skipIfPointSettled,
  type StoredTask,
} from './scoring-job-steps';
import { buildScoringResult } from './scoring-resources';

/**
 * Scores one task. Idempotent: state is re-read, a finished task is left alone (but for explanation
 * images lost with a worker that died after publishing), and the result's ids derive from the task so
 * a redo (crash, retry) writes the same rows. One timeline point per ImagingStudy, the best instance
 * (study-point.ts): a scored instance becomes the point, supersedes a worse one, or completes as
 * skipped; an instance whose study has a point no instance can displace completes as skipped, unscored.
 * A Task without a patient fails (IMAGING.MISSING_PATIENT): no result under a made-up patient. Every
 * failure is settled in one place, settleFailure.
 */
export async function processScoringJob(context: ScoringContext, model: ScoreModel, job: ScoringJob, jobContext: JobContext): Promise<void> {
  const logger = context.logger.child({ jobId: jobContext.jobId, taskId: job.taskId, requestId: job.requestId });
  const loaded = await loadJob(context, job.taskId);
  if (loaded.kind === 'finished') return;
  if (loaded.kind === 'completed') {
    await renderMissingExplanations(context, model, loaded.task, logger);
    return;
  }
  const { task } = loaded;
  const started = Date.now();
  try {
    const study = await loadStudy(context, task);
    const patientId = resultPatientIdOf(task, study);
    if (await skipIfPointSettled(context, task, logger)) return;

    await context.store.markTaskProgress(task.id, 'in-progress', 'fetching', task.attempts + 1);
    const prepared = await fetchAndPrepare(context, task, started);
    const acquiredAt = acquisitionTimeOf(context, study, prepared);

    await context.store.markTaskProgress(task.id, 'in-progress', 'inferring');
    const { output, inferenceMs } = await infer(context, model, prepared.input);

    await context.store.markTaskProgress(task.id, 'in-progress', 'publishing');
    const issued = context.clock.now().toISOString();
    const result = buildScoringResult(context.fhir, { task, study, pixels: prepared.pixels, decoded: prepared.decoded, output, model: model.identity, patientId, acquiredAt, issued });
    const recorded = await rankAndRecord(context, task, study, result, logger);
    if (recorded.kind === 'skipped') return;
    reportCompleted(context, model, task, result, { fetchMs: prepared.fetchMs, prepareMs: prepared.prepareMs, inferenceMs, storeMs: recorded.storeMs }, Date.now() - started, logger);

    const completedAt = Date.now();
    // The overlays cost more CPU than the rest of the job and nobody waits for them. Deferred (the
    // service), they are rendered once scoring is idle, off this job's slot; else here, after the result is out.
    if (context.deferredExplanations && context.explanations && output.zoneCams) {
      await context.deferredExplanations.defer(task.id, { radiograph: prepared.decoded.image, output, created: result.issued });
      context.observeStage?.('total', Date.now() - started);
      return;
    }
    await explainPublished(context, result, prepared, output, logger);
    context.observeStage?.('explain', Date.now() - completedAt);
    context.observeStage?.('total', Date.now() - started);
  } catch (error) {
    await settleFailure(context, task, error, jobContext, started, logger);
  }
}

/**
 * The one place a failed try is settled (scoring-failure.ts decides): the Task fails with the error's
 * code and message (its OperationOutcome in Task.output), or it goes back to the queue and the error is
 * thrown for the queue to retry with backoff.
 */
async function settleFailure(context: ScoringContext, task: StoredTask, error: unknown, jobContext: JobContext, started: number, logger: Logger): Promise<void> {
  const appError = toAppError(error);
  if (failureDispositionOf(appError, jobContext) === 'fail-task') {
    await context.store.failTask(task.id, { code: appError.code, message: appError.message });
    logger.warn({ code: appError.code, retryCount: jobContext.retryCount, durationMs: Date.now() - started }, 'scoring failed');
    if (appError.code === 'INTERNAL') logger.error({ err: String((appError.cause as Error)?.stack ?? appError.cause) }, 'unexpected error while scoring');
    context.completions.notify(task.id);
    return;
  }
  await context.store.markTaskProgress(task.id, 'requested', 'queued');
  logger.warn({ code: appError.code, retryCount: jobContext.retryCount }, 'scoring will be retried');
  throw appError;
}
