import { createLogger, systemClock, type Logger } from '@brixia/common';
import { buildModelDevice } from '@brixia/fhir';
import { loadOrtScoreModel, readModelManifest, type ScoreModel } from '@brixia/inference';
import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, PgBossJobQueue, ScoringStore, type Database } from '@brixia/persistence';
import { processScoringJob, TaskCompletionNotifier, type ScoringContext } from '@brixia/scoring';
import type { AppConfig } from './config';

/** Everything the process runs on, built before Nest so start-up fails fast and tests can reuse it. */
export interface Runtime {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly database: Database;
  readonly scoring: ScoringContext;
  /** Loaded in roles `all` and `worker`; the API role only reads the manifest. */
  readonly model?: ScoreModel;
  readonly startedAt: Date;
  close(): Promise<void>;
}

export async function createRuntime(config: AppConfig, logger: Logger = createLogger({ level: config.logLevel, name: 'brixia' })): Promise<Runtime> {
  const runsWorker = config.role !== 'api';
  const { identity } = await readModelManifest(config.model.dir);
  const model = runsWorker
    ? await loadOrtScoreModel({
        modelDir: config.model.dir,
        executionProviders: config.model.executionProviders,
        maxBatchSize: config.model.maxBatchSize,
        batchWindowMs: config.model.batchWindowMs,
        logger,
      })
    : undefined;
  const database = await openDatabase({ ...config.database, migrations: MIGRATIONS }, logger);
  let queue: PgBossJobQueue | undefined;
  try {
    queue = await PgBossJobQueue.start(database.dataSource, config.worker, logger);
    const store = new ScoringStore(database.dataSource, queue);
    const scoring: ScoringContext = {
      store,
      fhir: config.fhir,
      clock: systemClock,
      logger,
      completions: new TaskCompletionNotifier(),
      model: model ?? { identity },
      defaultTimezoneOffset: config.defaultTimezoneOffset,
    };
    await store.saveResource(buildModelDevice(identity, config.fhir));
    if (model) {
      const scoringModel = model;
      await queue.workScoring((job, context) => processScoringJob(scoring, scoringModel, job, context), config.worker.concurrency);
    }
    const startedQueue = queue;
    return {
      config,
      logger,
      database,
      scoring,
      model,
      startedAt: new Date(),
      async close(): Promise<void> {
        await startedQueue.stop();
        await model?.close();
        await database.close();
      },
    };
  } catch (error) {
    await queue?.stop().catch(() => undefined);
    await model?.close();
    await database.close();
    throw error;
  }
}
