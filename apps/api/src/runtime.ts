import { createLogger, systemClock, type Logger, type ModelIdentity } from '@brixia/common';
import { buildModelDevice } from '@brixia/fhir';
import { startPreparerPool } from '@brixia/imaging';
import { startExplanationRenderPool } from '@brixia/monitoring';
import { loadOrtScoreModel, readModelManifest, type ScoreModel } from '@brixia/inference';
import { MIGRATIONS } from '@brixia/migrations';
import { AuditStore, createStores, openDatabase, OperationsStats, PgBossJobQueue, type Database } from '@brixia/persistence';
import { DeferredExplanations, UploadHandoff, type ScoringContext } from '@brixia/scoring';
import type { AppConfig } from './config';
import { createExternalImaging, createSubscriptions, startIntegrationLoops } from './integration/integration-runtime';
import { createMonitoring, type MonitoringRuntime } from './monitoring/monitoring-runtime';
import { AuditTrail } from './audit/audit-trail';
import { startAuditRetention } from './audit/audit-retention';
import { checkReadiness, type ReadinessReport } from './operations/readiness';
import { createServiceMetrics, type ServiceMetrics } from './operations/service-metrics';
import { startScoringJobProcessor } from './queue/scoring-job.processor';
import { startTogether } from './infrastructure/start-together';

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
  readonly metrics: ServiceMetrics;
  readiness(): Promise<ReadinessReport>;
  /** Readiness turns false at once (the load balancer stops sending), then close() follows. */
  beginDrain(): void;
  /** Stops taking jobs, lets running ones finish within the shutdown deadline, releases the rest. */
  close(): Promise<void>;
}

export async function createRuntime(config: AppConfig, logger: Logger = createLogger({ level: config.logLevel, name: 'brixia' })): Promise<Runtime> {
  const runsWorker = config.role !== 'api';
  const metrics = createServiceMetrics();
  // The model (its own thread), the database (round trips) and the thread pools start side by side: on
  // busy cores a worker's start is what keeps it from taking jobs, and these wait on different things.
  // The API role only reads the manifest; a worker takes the identity from the session it loaded
  // (one read and SHA-256 of the ONNX file instead of two).
  const starting = await startTogether({
    model: runsWorker
      ? loadOrtScoreModel({
          modelDir: config.model.dir,
          executionProviders: config.model.executionProviders,
          maxBatchSize: config.model.maxBatchSize,
          batchWindowMs: config.model.batchWindowMs,
          intraOpNumThreads: config.model.intraOpNumThreads,
          spinWhileWaiting: config.model.spinWhileWaiting,
          sessionThread: config.model.sessionThread,
          sessionThreadNice: config.model.threadNice,
          onBatch: metrics.observeBatch,
          logger,
        })
      : undefined,
    manifest: runsWorker ? undefined : readModelManifest(config.model.dir),
    database: openDatabase({ ...config.database, migrations: MIGRATIONS }, logger),
    external: createExternalImaging(config.integration, logger),
    preparer:
      runsWorker && config.model.decodeThreads > 0
        ? startPreparerPool({ threads: config.model.decodeThreads, logger, niceIncrement: config.model.threadNice })
        : undefined,
    // Below the inference threads: overlays nobody waits for never take the cores from scoring.
    renderPool:
      runsWorker && config.monitoring.explanations && config.model.explainThreads > 0
        ? startExplanationRenderPool({ fhir: config.fhir, threads: config.model.explainThreads, niceIncrement: Math.min(19, config.model.threadNice + 5), logger })
        : undefined,
  });
  const { model, preparer, renderPool, database } = starting;
  const identity = (model ?? (starting.manifest as { identity: ModelIdentity })).identity;
  let queue: PgBossJobQueue | undefined;
  try {
    queue = await PgBossJobQueue.start(database.dataSource, config.worker, logger);
    const jobQueue = queue;
    const stores = createStores(database.dataSource, queue);
    const store = stores.scoring;
    const monitoring = createMonitoring({ store: stores.monitoring, config, fhir: config.fhir, clock: systemClock, logger, model: identity, scoringStore: () => store, renderPool });
    const scoring: ScoringContext = {
      store,
      fhir: config.fhir,
      clock: systemClock,
      logger,
      completions: monitoring.completions,
      explanations: monitoring.explanations,
      ...(model && monitoring.explanations && config.model.explainDeferred ? { deferredExplanations: new DeferredExplanations((job) => jobQueue.enqueueExplanation(job)) } : {}),
      model: model ?? { identity },
      defaultTimezoneOffset: config.defaultTimezoneOffset,
      maxFutureSkewSeconds: config.maxFutureSkewSeconds,
      external: starting.external,
      preparer,
      // Intake and worker in one process: a job takes the bytes its upload just recorded.
      ...(config.role === 'all' && model && config.model.uploadHandoff ? { uploadHandoff: new UploadHandoff() } : {}),
      observeStage: metrics.observeStage,
      subscriptions: createSubscriptions(config.integration, database),
    };
    await store.saveResource(buildModelDevice(identity, config.fhir));
    await monitoring.service.refreshStale();
    if (model) await startScoringJobProcessor(queue, scoring, model, { concurrency: config.worker.concurrency, explainIdleWaitMs: config.model.explainIdleWaitMs });
    const integrationLoops = startIntegrationLoops(config, scoring, database, logger);
    const audit = new AuditTrail(new AuditStore(database.dataSource), config.fhir, systemClock);
    const auditRetention = startAuditRetention(audit.store, config.audit, systemClock, logger);
    // Last start-up step: nothing after it can fail and leak its LISTEN connection.
    await monitoring.startRelay(database);
    const startedQueue = queue;
    metrics.attach({
      role: config.role,
      modelVersion: identity.version,
      executionProvider: model?.executionProvider ?? null,
      stats: new OperationsStats(database.dataSource),
      activeJobs: () => startedQueue.activeJobs,
      decodeQueued: () => preparer?.queued ?? 0,
    });
    let draining = false;
    return {
      config,
      logger,
      database,
      scoring,
      monitoring,
      model,
      audit,
      startedAt: new Date(),
      metrics,
      readiness: () => checkReadiness({ database, scores: runsWorker, modelLoaded: model !== undefined, draining }),
      beginDrain: () => {
        draining = true;
      },
      async close(): Promise<void> {
        await auditRetention.stop();
        draining = true;
        // The queue first: no new jobs, running ones finish (or are released) while the rest still works.
        await startedQueue.stop(config.operations.shutdownDeadlineMs);
        await monitoring.close();
        await integrationLoops.stop();
        await model?.close();
        await preparer?.close();
        await renderPool?.close();
        await database.close();
      },
    };
  } catch (error) {
    await queue?.stop().catch(() => undefined);
    await model?.close();
    await preparer?.close();
    await renderPool?.close();
    await database.close();
    throw error;
  }
}
