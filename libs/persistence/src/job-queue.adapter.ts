import PgBoss from 'pg-boss';
import type { DataSource, EntityManager } from 'typeorm';
import { type Logger, type RetryPolicy, silentLogger } from '@brixia/common';

/** What a scoring job carries: ids only; the worker re-reads state (jobs are idempotent). */
export interface ScoringJob {
  readonly taskId: string;
  readonly requestId?: string;
}

/** A scored task whose explanation overlays are still to be rendered. */
export interface ExplanationJob {
  readonly taskId: string;
}

export interface JobContext {
  readonly jobId: string;
  /** 0 on the first try. */
  readonly retryCount: number;
  readonly retryLimit: number;
}

export interface JobQueueOptions {
  /** Tries in all and the first delay; pg-boss doubles the delay (retryBackoff). From the config schema, no default here. */
  readonly retry: Pick<RetryPolicy, 'maxAttempts' | 'baseDelayMs'>;
  /** A job whose worker died is retried after this long (crash recovery). */
  readonly expireInSeconds?: number;
  readonly pollingIntervalSeconds?: number;
  /** How often expired jobs are swept back into the queue (and old ones archived). */
  readonly maintenanceIntervalSeconds?: number;
}

/** Durable work queue port. */
export interface JobQueue {
  /** Enqueues inside `manager`'s transaction when given, so the job exists iff the request was recorded. */
  enqueueScoring(job: ScoringJob, manager?: EntityManager): Promise<void>;
  workScoring(handler: (job: ScoringJob, context: JobContext) => Promise<void>, concurrency?: number): Promise<void>;
  /**
   * Enqueues a scored task's explanation overlays on their own queue, worked one at a time beside scoring
   * (workExplanations): rendering them never holds a scoring slot.
   */
  enqueueExplanation(job: ExplanationJob): Promise<void>;
  /** `stopping` turns true when the queue stops: a handler waiting for idle cores gives up its wait then. */
  workExplanations(handler: (job: ExplanationJob, context: { readonly stopping: () => boolean }) => Promise<void>): Promise<void>;
  /** Wakes this process's idle workers now instead of at their next poll (call after the enqueue committed). */
  wake(): void;
  /** Jobs this process is working on now. */
  readonly activeJobs: number;
  /**
   * Graceful stop: fetches no more jobs, lets the running ones finish for up to `deadlineMs`, then
   * releases the rest back to the queue (retried by another worker; jobs are idempotent).
   */
  stop(deadlineMs?: number): Promise<void>;
}

export const SCORING_QUEUE = 'brixia-score';
export const SCORING_DEAD_LETTER_QUEUE = 'brixia-score-dead';
export const EXPLANATION_QUEUE = 'brixia-explain';

interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** pg-boss speaks SQL through TypeORM's connections (one pool; transactional enqueue; embedded mode). */
function executorFor(target: DataSource | EntityManager): SqlExecutor {
  return {
    async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
      const queryRunner = 'createQueryRunner' in target ? target.createQueryRunner() : target.queryRunner;
      if (!queryRunner) throw new Error('EntityManager without a query runner');
      try {
        const result = await queryRunner.query(text, values && values.length > 0 ? values : undefined, true);
        return { rows: (result.records as unknown[]) ?? [] };
      } finally {
        if ('createQueryRunner' in target) await queryRunner.release();
      }
    },
  };
}

/**
 * The queue's own executor. pg-boss 10 marks a finished job complete (or failed) with a promise it never
 * awaits: a job that outlives the graceful stop finds the database closed, and that rejection would
 * crash the process. Once stopping, such a failure is logged instead; the job stays active, expires and
 * is redelivered (jobs are idempotent), so nothing is lost.
 */
function queueExecutorFor(dataSource: DataSource, isStopping: () => boolean, logger: Logger): SqlExecutor & { readonly inFlight: () => number } {
  const executor = executorFor(dataSource);
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
      inFlight++;
      try {
        return await executor.executeSql(text, values);
      } catch (error) {
        if (!isStopping()) throw error;
        logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'job queue statement after stop failed; the job will expire and be redelivered');
        return { rows: [{ count: '0' }] };
      } finally {
        inFlight--;
      }
    },
  };
}

/** pg-boss 10 (retries with backoff, dead letters, expiry-based recovery of jobs whose worker died). */
export class PgBossJobQueue implements JobQueue {
  private readonly workerIds: string[] = [];
  private active = 0;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: Required<JobQueueOptions>,
    private readonly logger: Logger,
    private readonly state: { stopping: boolean },
    private readonly queueStatementsInFlight: () => number,
  ) {}

  static async start(dataSource: DataSource, options: JobQueueOptions, logger: Logger = silentLogger): Promise<PgBossJobQueue> {
    const resolved: Required<JobQueueOptions> = {
      retry: options.retry,
      expireInSeconds: options.expireInSeconds ?? 120,
      pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    };
    const state = { stopping: false };
    const db = queueExecutorFor(dataSource, () => state.stopping, logger);
    const boss = new PgBoss({
      db,
      schema: 'pgboss',
      supervise: true,
      maintenanceIntervalSeconds: resolved.maintenanceIntervalSeconds,
    } as unknown as PgBoss.ConstructorOptions);
    boss.on('error', (error: Error) => logger.error({ err: error.message }, 'job queue error'));
    await boss.start();
    await boss.createQueue(SCORING_DEAD_LETTER_QUEUE, { name: SCORING_DEAD_LETTER_QUEUE, retentionDays: 30 } as PgBoss.Queue);
    await boss.createQueue(SCORING_QUEUE, {
      name: SCORING_QUEUE,
      // pg-boss counts retries after the first try, in whole seconds.
      retryLimit: resolved.retry.maxAttempts - 1,
      retryDelay: Math.ceil(resolved.retry.baseDelayMs / 1000),
      retryBackoff: true,
      expireInSeconds: resolved.expireInSeconds,
      deadLetter: SCORING_DEAD_LETTER_QUEUE,
    } as PgBoss.Queue);
    // A render waits for idle cores, up to a bound, before it starts: expiry well beyond that wait.
    await boss.createQueue(EXPLANATION_QUEUE, {
      name: EXPLANATION_QUEUE,
      retryLimit: 2,
      retryDelay: Math.ceil(resolved.retry.baseDelayMs / 1000),
      retryBackoff: true,
      expireInSeconds: Math.max(resolved.expireInSeconds, 900),
      deadLetter: SCORING_DEAD_LETTER_QUEUE,
    } as PgBoss.Queue);
    return new PgBossJobQueue(boss, resolved, logger, state, db.inFlight);
  }

  async enqueueScoring(job: ScoringJob, manager?: EntityManager): Promise<void> {
    const options = manager ? ({ db: executorFor(manager) } as PgBoss.SendOptions) : {};
    await this.boss.send(SCORING_QUEUE, { ...job }, options);
  }

  async workScoring(handler: (job: ScoringJob, context: JobContext) => Promise<void>, concurrency = 1): Promise<void> {
    for (let i = 0; i < concurrency; i++) {
      const workerId = await this.boss.work<ScoringJob>(
        SCORING_QUEUE,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.options.pollingIntervalSeconds },
        async (jobs) => {
          for (const job of jobs) {
            this.active++;
            try {
              await handler(job.data, { jobId: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
            } finally {
              this.active--;
            }
          }
        },
      );
      this.workerIds.push(workerId);
    }
    this.logger.info({ queue: SCORING_QUEUE, concurrency }, 'worker started');
  }

  async enqueueExplanation(job: ExplanationJob): Promise<void> {
    await this.boss.send(EXPLANATION_QUEUE, { ...job });
  }

  async workExplanations(handler: (job: ExplanationJob, context: { readonly stopping: () => boolean }) => Promise<void>): Promise<void> {
    const context = { stopping: () => this.state.stopping };
    await this.boss.work<ExplanationJob>(EXPLANATION_QUEUE, { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds }, async (jobs) => {
      for (const job of jobs) await handler(job.data, context);
    });
  }

  wake(): void {
    // Without this a job waits up to one polling interval (≥ 0.5 s in pg-boss 10) before a worker fetches it.
    for (const id of this.workerIds) this.boss.notifyWorker(id);
  }

  get activeJobs(): number {
    return this.active;
  }

  async stop(deadlineMs = 10_000): Promise<void> {
    this.state.stopping = true;
    const started = Date.now();
    const inFlight = this.active;
    // pg-boss stops fetching at once, waits for active jobs up to `timeout`, then fails what is still
    // running, which hands it back to the queue as a retry (after retryDelay) or, past the last try, to
    // the dead-letter queue. A handler still running after that finishes against a closing database:
    // queueExecutorFor logs its completion instead of crashing.
    await this.boss.stop({ graceful: true, wait: true, timeout: deadlineMs });
    // pg-boss's stop waits for the jobs its workers hold, not for a worker whose fetch is still in flight:
    // that fetch can hand a job to the handler after stop() returned, into a closing database (and, in
    // Jest, into a torn-down test). Wait, within what is left of the deadline, until no queue statement and no handler
    // is running; the handlers' statements fail quietly once stopping (queueExecutorFor).
    while ((this.queueStatementsInFlight() > 0 || this.active > 0) && Date.now() - started < deadlineMs) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (inFlight > 0 || this.active > 0) {
      this.logger.info({ queue: SCORING_QUEUE, inFlight, released: this.active, durationMs: Date.now() - started }, 'worker stopped');
    }
  }
}
