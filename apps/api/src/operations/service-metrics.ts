import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ExecutionProviderName, ScoreModelOptions } from '@brixia/inference';
import type { OperationsStats } from '@brixia/persistence';
import type { ScoringStage } from '@brixia/scoring';

/**
 * The Prometheus metrics of one process (docs/operations.md lists them). Counters and histograms are
 * fed by the parts as they work; queue depth and the outbox are read from the database on scrape.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** For loadOrtScoreModel's onBatch. */
  readonly observeBatch: NonNullable<ScoreModelOptions['onBatch']>;
  observeStage(stage: ScoringStage, durationMs: number): void;
  observeHttp(method: string, route: string, status: number, seconds: number): void;
  /** Wires the gauges that are read on scrape. */
  attach(sources: MetricSources): void;
}

export interface MetricSources {
  readonly role: string;
  readonly modelVersion: string;
  readonly executionProvider: ExecutionProviderName | null;
  readonly stats: OperationsStats;
  readonly activeJobs: () => number;
  /** Images waiting for a decoder thread. */
  readonly decodeQueued: () => number;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'brixia_' });
  const batchSeconds = new Histogram({ name: 'brixia_inference_batch_duration_seconds', help: 'Session run time per micro-batch', buckets: SECONDS_BUCKETS, registers: [registry] });
  const batchSize = new Histogram({ name: 'brixia_inference_batch_size', help: 'Images per session run', buckets: [1, 2, 4, 8, 16, 32, 64], registers: [registry] });
  const batchFailures = new Counter({ name: 'brixia_inference_failures_total', help: 'Session runs that failed', registers: [registry] });
  const stageSeconds = new Histogram({ name: 'brixia_job_stage_duration_seconds', help: 'Scoring job time by stage', labelNames: ['stage'], buckets: SECONDS_BUCKETS, registers: [registry] });
  const httpSeconds = new Histogram({
    name: 'brixia_http_request_duration_seconds',
    help: 'HTTP request time by route template',
    labelNames: ['method', 'route', 'status'],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  let sources: MetricSources | undefined;
  const modelInfo = new Gauge({
    name: 'brixia_model_info',
    help: 'The model and the execution provider actually in use (1)',
    labelNames: ['role', 'model_version', 'execution_provider'],
    registers: [registry],
    collect() {
      this.reset();
      if (sources) this.set({ role: sources.role, model_version: sources.modelVersion, execution_provider: sources.executionProvider ?? 'none' }, 1);
    },
  });
  void modelInfo;
  new Gauge({
    name: 'brixia_queue_jobs',
    help: 'Jobs by queue and pg-boss state (created, retry, active, completed, failed, cancelled)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!sources) return;
      for (const row of await sources.stats.queueDepth().catch(() => [])) this.set({ queue: row.queue, state: row.state }, row.count);
    },
  });
  new Gauge({
    name: 'brixia_outbox_messages',
    help: 'Outbox messages to the EHR by state (pending = backlog, dead = dead letters)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      if (!sources) return;
      const counts = await sources.stats.outboxByState().catch(() => undefined);
      if (counts) for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'brixia_worker_active_jobs',
    help: 'Scoring jobs this process is working on',
    registers: [registry],
    collect() {
      this.set(sources?.activeJobs() ?? 0);
    },
  });
  new Gauge({
    name: 'brixia_decode_queued',
    help: 'Images of this process waiting for a decoder thread',
    registers: [registry],
    collect() {
      this.set(sources?.decodeQueued() ?? 0);
    },
  });
  return {
    registry,
    contentType: registry.contentType,
    observeBatch: ({ batchSize: n, durationMs, failed }) => {
      if (failed) {
        batchFailures.inc();
        return;
      }
      batchSeconds.observe(durationMs / 1000);
      batchSize.observe(n);
    },
    observeStage: (stage, durationMs) => stageSeconds.observe({ stage }, durationMs / 1000),
    observeHttp: (method, route, status, seconds) => httpSeconds.observe({ method, route, status: String(status) }, seconds),
    attach: (attached) => {
      sources = attached;
    },
  };
}
