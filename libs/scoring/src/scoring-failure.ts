import { isLastTry, type AppError } from '@brixia/common';
import type { JobContext } from '@brixia/persistence';

/** What a failed try of a scoring job does: fail its Task (with the error's OperationOutcome), or go back to the queue. */
export type FailureDisposition = 'fail-task' | 'retry';

/**
 * The retry rule of scoring jobs: a code no retry can help (the error table's `retryable: false`) fails
 * the Task at once; a retryable one is retried until the last try, which fails the Task. pg-boss counts
 * retries (0 on the first try) against a limit of retries; the last-try rule counts tries.
 */
export function failureDispositionOf(error: AppError, job: Pick<JobContext, 'retryCount' | 'retryLimit'>): FailureDisposition {
  if (!error.spec.retryable) return 'fail-task';
  return isLastTry({ maxAttempts: job.retryLimit + 1, retryPeriodMs: Infinity }, { attempts: job.retryCount + 1 }) ? 'fail-task' : 'retry';
}
