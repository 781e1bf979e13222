import { createLogger, systemClock, type Logger } from '@brixia/common';
import { buildModelDevice } from '@brixia/fhir';
import { loadOrtScoreModel, readModelManifest, type ScoreModel } from '@brixia/inference';
import { MIGRATIONS } from '@brixia/migrations';
import { AuditStore, openDatabase, PgBossJobQueue, ScoringStore, type Database } from '@brixia/persistence';
import type { ScoringContext } from '@brixia/scoring';
import type { AppConfig } from './config';
import { createExternalImaging, createSubscriptions, startIntegrationLoops } from './integration/integration-runtime';
import { createMonitoring, type MonitoringRuntime } from './monitoring/monitoring-runtime';
import { AuditTrail } from './audit/audit-trail';
import { startAuditRetention } from './audit/audit-retention';
import { startScoringJobProcessor } from './queue/scoring-job.processor';

/** Everything the process runs on, built before Nest so start-up fails fast and tests can reuse it. */
export interface Runtime {
  readonly config: AppConfig;
  readonly logger: Logger;
  readonly database: Database;
  readonly scoring: ScoringContext;
  /** Serial monitoring: timelines, trend, alerts, reviews, patient list, events. */
  readonly monitoring: MonitoringRuntime;
  /** Loaded in roles `all` and `worker`; the API role only reads the manifest. */
  readonly model?: ScoreModel;
  /** The audit trail of accesses to patient data (AuditEvents). */
  readonly audit: AuditTrail;
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
    const monitoring = createMonitoring({ dataSource: database.dataSource, config, fhir: config.fhir, clock: systemClock, logger, model: identity, scoringStore: () => store });
    const scoring: ScoringContext = {
      store,
      fhir: config.fhir,
      clock: systemClock,
      logger,
      completions: monitoring.completions,
      explanations: monitoring.explanations,
      model: model ?? { identity },
      defaultTimezoneOffset: config.defaultTimezoneOffset,
      maxFutureSkewSeconds: config.maxFutureSkewSeconds,
      external: await createExternalImaging(config.integration, logger),
      subscriptions: createSubscriptions(config.integration, database),
    };
    await store.saveResource(buildModelDevice(identity, config.fhir));
    await monitoring.service.refreshStale();
    if (model) await startScoringJobProcessor(queue, scoring, model, config.worker.concurrency);
    const integrationLoops = startIntegrationLoops(config, scoring, database, logger);
    const audit = new AuditTrail(new AuditStore(database.dataSource), config.fhir, systemClock);
    const auditRetention = startAuditRetention(audit.store, config.audit, systemClock, logger);
    // Last start-up step: nothing after it can fail and leak its LISTEN connection.
    await monitoring.startRelay(database);
    const startedQueue = queue;
    return {
      config,
      logger,
      database,
      scoring,
      monitoring,
      model,
      audit,
      startedAt: new Date(),
      async close(): Promise<void> {
        await auditRetention.stop();
        await monitoring.close();
        await integrationLoops.stop();
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
