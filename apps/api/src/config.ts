import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { AppError, type RetryPolicy } from '@brixia/common';
import { DEFAULT_MODEL_DIR } from '@brixia/inference';
import { INTEGRATION_ENV, integrationConfig } from './integration/integration-config';
import { AUTH_ENV, authConfig } from './auth/auth-config';

const providers = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.enum(['webgpu', 'cpu'])).min(1));

/** Comma-separated browser origins (scheme://host[:port]), each checked. */
const origins = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^https?:\/\/[A-Za-z0-9.\-]+(:\d{1,5})?$/, 'an origin is scheme://host[:port]')));

/** The one validated configuration schema (environment variables, read once at start-up). */
const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional());

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  BRIXIA_ROLE: z.enum(['all', 'api', 'worker', 'migrate']).default('all'),
  DATABASE_URL: optionalUrl,
  BRIXIA_DATA_DIR: z.string().default('data/pglite'),
  BRIXIA_MODEL_DIR: z.string().default(DEFAULT_MODEL_DIR),
  BRIXIA_EXECUTION_PROVIDERS: providers.default('cpu'),
  BRIXIA_MAX_BATCH: z.coerce.number().int().min(1).max(64).default(4),
  BRIXIA_BATCH_WINDOW_MS: z.coerce.number().min(0).max(1000).default(2),
  // ONNX Runtime intra-op threads: one per core the process may use (docs/operations.md sizing).
  BRIXIA_INFERENCE_THREADS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
  // Idle intra-op threads spin for work (ONNX Runtime's default) or sleep (ours: beside HTTP, decoding and the
  // database on the same cores, spinning burns the core a preempted sibling thread needs; docs/operations.md).
  BRIXIA_INFERENCE_SPIN: z.enum(['on', 'off']).default('off'),
  // The session in a worker thread (off: on the event loop, as before; for comparison only).
  BRIXIA_SESSION_THREAD: z.enum(['on', 'off']).default('on'),
  // Decode + preprocess threads of a worker; 0 decodes on the event loop.
  BRIXIA_DECODE_THREADS: z.coerce.number().int().min(0).max(64).default(1),
  // Nice steps below the process for the session, intra-op and decoder threads (Linux; 0 = same priority),
  // so the event loop preempts inference and cheap reads stay fast while the cores are saturated.
  BRIXIA_THREAD_NICE: z.coerce.number().int().min(0).max(19).default(10),
  // Explanation overlay threads (0: on the event loop); they run 5 nice steps below inference.
  BRIXIA_EXPLAIN_THREADS: z.coerce.number().int().min(0).max(16).default(1),
  // Overlays rendered after the scoring job, once scoring is idle (off: inside the job, holding its slot),
  // waiting at most this long for idle scoring before rendering anyway at the render threads' priority.
  // Role all: a job takes the bytes its upload just recorded instead of reading them back (off: for comparison).
  BRIXIA_UPLOAD_HANDOFF: z.enum(['on', 'off']).default('on'),
  BRIXIA_EXPLAIN_DEFER: z.enum(['on', 'off']).default('on'),
  BRIXIA_EXPLAIN_IDLE_WAIT_S: z.coerce.number().min(0).max(3600).default(30),
  // Jobs at a time. Two never meet in the micro-batcher (one infers while the other decodes): batches above
  // one need more, and then BRIXIA_JOB_EXPIRE_S must cover the wait for the batches ahead (docs/operations.md).
  BRIXIA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  BRIXIA_JOB_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(4),
  BRIXIA_JOB_RETRY_DELAY_S: z.coerce.number().int().min(1).max(3600).default(2),
  BRIXIA_JOB_EXPIRE_S: z.coerce.number().int().min(1).max(86_400).default(120),
  BRIXIA_QUEUE_MAINTENANCE_S: z.coerce.number().int().min(1).max(3600).default(30),
  BRIXIA_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).default(64 * 1024 * 1024),
  BRIXIA_MAX_JSON_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024),
  BRIXIA_SYNC_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  BRIXIA_PUBLIC_BASE_URL: optionalUrl,
  BRIXIA_CANONICAL_BASE: z.string().url().default('https://brixia.example.org/fhir'),
  BRIXIA_DEFAULT_TIMEZONE: z.string().regex(/^(Z|[+-]\d{2}:\d{2})$/).default('Z'),
  // How far ahead of this clock an acquisition time may lie (modality clocks drift); up to a day.
  BRIXIA_MAX_FUTURE_SKEW_S: z.coerce.number().int().min(0).max(86_400).default(300),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // json for log collectors (the default), pretty for a person at a terminal.
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  // EHR / PACS integration: BRIXIA_EHR_*, BRIXIA_PACS_*, BRIXIA_OUTBOX_* (integration/integration-config.ts).
  ...INTEGRATION_ENV,
  // Resource-server authorization: BRIXIA_AUTH*, BRIXIA_DEV_ISSUER_* (auth/auth-config.ts).
  ...AUTH_ENV,
  // Serial monitoring (libs/monitoring monitoring-rules.ts documents each rule and its source).
  BRIXIA_TREND_WINDOW_DAYS: z.coerce.number().min(0).max(365).default(7),
  BRIXIA_TREND_MIN_CHANGE: z.coerce.number().int().min(1).max(18).default(2),
  BRIXIA_ALERT_RISE_FROM_FIRST: z.coerce.number().int().min(0).max(18).default(3),
  BRIXIA_ALERT_SCORE_AT_LEAST: z.coerce.number().int().min(0).max(18).default(8),
  BRIXIA_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(8),
  BRIXIA_GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(10).max(1_000_000).default(50_000),
  BRIXIA_EXPLANATIONS: z.enum(['on', 'off']).default('on'),
  // Audit trail and HTTP hardening (README "Audit trail" and "HTTP surface").
  BRIXIA_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(2190),
  BRIXIA_AUDIT_PURGE_INTERVAL_S: z.coerce.number().int().min(1).max(86_400).default(3600),
  BRIXIA_CORS_ORIGINS: origins.default(''),
  BRIXIA_GRAPHQL_INTROSPECTION: z.enum(['on', 'off']).default('off'),
  BRIXIA_RATE_SCORING_PER_MIN: z.coerce.number().int().min(1).max(100_000).default(60),
  BRIXIA_RATE_OCCLUSION_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  BRIXIA_HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(300_000),
  BRIXIA_HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
  // Operations (docs/operations.md): /metrics on or off, optionally behind a bearer token.
  BRIXIA_METRICS: z.enum(['on', 'off']).default('on'),
  BRIXIA_METRICS_TOKEN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(16).optional()),
  // On SIGTERM: running jobs get this long to finish, then go back to the queue.
  BRIXIA_SHUTDOWN_DEADLINE_S: z.coerce.number().int().min(0).max(3600).default(20),
  // Apply migrations at start (off where the migrations Job owns the schema; then ready waits for them).
  BRIXIA_RUN_MIGRATIONS: z.enum(['on', 'off']).default('on'),
});

export type AppConfig = ReturnType<typeof toAppConfig>;

/** Parses the environment; fails fast with every problem listed (style: fail fast on bad config). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = schema.refine((c) => c.BRIXIA_HTTP_HEADERS_TIMEOUT_MS < c.BRIXIA_HTTP_REQUEST_TIMEOUT_MS, {
    message: 'BRIXIA_HTTP_HEADERS_TIMEOUT_MS must be below BRIXIA_HTTP_REQUEST_TIMEOUT_MS',
    path: ['BRIXIA_HTTP_HEADERS_TIMEOUT_MS'],
  }).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new AppError('CONFIG.INVALID', `Invalid configuration: ${problems}`);
  }
  return toAppConfig(parsed.data);
}

/** The typed configuration the composition root hands out (its inferred type is AppConfig). */
function toAppConfig(c: z.infer<typeof schema>) {
  const publicBase = (c.BRIXIA_PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '');
  return {
    port: c.PORT,
    host: c.HOST,
    role: c.BRIXIA_ROLE,
    database: { url: c.DATABASE_URL, runMigrations: c.BRIXIA_RUN_MIGRATIONS === 'on', embeddedDataDir: c.BRIXIA_DATA_DIR === 'memory://' ? c.BRIXIA_DATA_DIR : resolve(c.BRIXIA_DATA_DIR) },
    model: {
      dir: resolve(c.BRIXIA_MODEL_DIR),
      executionProviders: c.BRIXIA_EXECUTION_PROVIDERS,
      maxBatchSize: c.BRIXIA_MAX_BATCH,
      batchWindowMs: c.BRIXIA_BATCH_WINDOW_MS,
      intraOpNumThreads: c.BRIXIA_INFERENCE_THREADS,
      spinWhileWaiting: c.BRIXIA_INFERENCE_SPIN === 'on',
      sessionThread: c.BRIXIA_SESSION_THREAD === 'on',
      decodeThreads: c.BRIXIA_DECODE_THREADS,
      threadNice: c.BRIXIA_THREAD_NICE,
      explainThreads: c.BRIXIA_EXPLAIN_THREADS,
      explainDeferred: c.BRIXIA_EXPLAIN_DEFER === 'on',
      uploadHandoff: c.BRIXIA_UPLOAD_HANDOFF === 'on',
      explainIdleWaitMs: c.BRIXIA_EXPLAIN_IDLE_WAIT_S * 1000,
    },
    worker: {
      concurrency: c.BRIXIA_WORKER_CONCURRENCY,
      // Tries = the first + BRIXIA_JOB_RETRY_LIMIT retries; pg-boss doubles the delay (no cap, no period).
      retry: { maxAttempts: c.BRIXIA_JOB_RETRY_LIMIT + 1, retryPeriodMs: Infinity, baseDelayMs: c.BRIXIA_JOB_RETRY_DELAY_S * 1000, maxDelayMs: Infinity } satisfies RetryPolicy,
      expireInSeconds: c.BRIXIA_JOB_EXPIRE_S,
      maintenanceIntervalSeconds: c.BRIXIA_QUEUE_MAINTENANCE_S,
    },
    limits: { uploadBytes: c.BRIXIA_MAX_UPLOAD_BYTES, jsonBytes: c.BRIXIA_MAX_JSON_BYTES, syncTimeoutMs: c.BRIXIA_SYNC_TIMEOUT_MS },
    fhir: { baseUrl: `${publicBase}/fhir`, canonicalBase: c.BRIXIA_CANONICAL_BASE.replace(/\/$/, '') },
    publicBaseUrl: publicBase,
    defaultTimezoneOffset: c.BRIXIA_DEFAULT_TIMEZONE,
    maxFutureSkewSeconds: c.BRIXIA_MAX_FUTURE_SKEW_S,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
    integration: integrationConfig(c, (message) => {
      throw new AppError('CONFIG.INVALID', `Invalid configuration: ${message}`);
    }),
    monitoring: {
      trendWindowDays: c.BRIXIA_TREND_WINDOW_DAYS,
      trendMinChange: c.BRIXIA_TREND_MIN_CHANGE,
      riseFromFirst: c.BRIXIA_ALERT_RISE_FROM_FIRST,
      scoreAtLeast: c.BRIXIA_ALERT_SCORE_AT_LEAST,
      explanations: c.BRIXIA_EXPLANATIONS === 'on',
    },
    auth: authConfig(c, `${publicBase}/fhir`, (message) => {
      throw new AppError('CONFIG.INVALID', `Invalid configuration: ${message}`);
    }),
    graphql: { maxDepth: c.BRIXIA_GRAPHQL_MAX_DEPTH, maxComplexity: c.BRIXIA_GRAPHQL_MAX_COMPLEXITY, introspection: c.BRIXIA_GRAPHQL_INTROSPECTION === 'on' },
    audit: { retentionDays: c.BRIXIA_AUDIT_RETENTION_DAYS, purgeIntervalSeconds: c.BRIXIA_AUDIT_PURGE_INTERVAL_S },
    http: {
      corsOrigins: c.BRIXIA_CORS_ORIGINS,
      requestTimeoutMs: c.BRIXIA_HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: c.BRIXIA_HTTP_HEADERS_TIMEOUT_MS,
      rateLimits: { scoringPerMinute: c.BRIXIA_RATE_SCORING_PER_MIN, occlusionPerHour: c.BRIXIA_RATE_OCCLUSION_PER_HOUR },
    },
    operations: {
      metrics: { enabled: c.BRIXIA_METRICS === 'on', token: c.BRIXIA_METRICS_TOKEN },
      shutdownDeadlineMs: c.BRIXIA_SHUTDOWN_DEADLINE_S * 1000,
    },
  } as const;
}
