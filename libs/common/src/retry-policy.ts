/**
 * How one kind of work is retried (the scoring job, the publication outbox, Subscription
 * notifications): bounded by a number of tries and/or a period, with exponential backoff between
 * tries. Every value comes from the config schema (apps/api/src/config.ts,
 * apps/api/src/integration/integration-config.ts); docs/operations.md "Retries" lists them.
 */
export interface RetryPolicy {
  /** Tries in all, the first included; Infinity when only `retryPeriodMs` bounds the work. */
  readonly maxAttempts: number;
  /** How long after the work was accepted it may still be tried; Infinity when only `maxAttempts` bounds it. */
  readonly retryPeriodMs: number;
  /** Delay after the first failed try; doubles with each further one. */
  readonly baseDelayMs: number;
  /** Cap on the delay between two tries (Infinity: uncapped). */
  readonly maxDelayMs: number;
}

/** What has been tried so far: tries made (≥ 1, the current one included) and, where known, the work's age. */
export interface TriesSoFar {
  readonly attempts: number;
  readonly ageMs?: number;
}

/**
 * The last-try rule of every retry loop: a failed try was the last one when the tries made reach
 * `maxAttempts` or the work is `retryPeriodMs` old. After it the work is dead-lettered (or its Task
 * failed) instead of retried.
 */
export function isLastTry(policy: Pick<RetryPolicy, 'maxAttempts' | 'retryPeriodMs'>, tried: TriesSoFar): boolean {
  return tried.attempts >= policy.maxAttempts || (tried.ageMs ?? 0) >= policy.retryPeriodMs;
}

/**
 * Delay before the next try: exponential backoff with jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"), a random delay in [d/2, d] with d = base·2^(attempts−1) capped at max, so
 * recovering peers are not hit by every client at once. `attempts` counts tries so far (≥ 1).
 */
export function retryDelayMs(attempts: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
