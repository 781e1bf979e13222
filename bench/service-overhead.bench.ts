/**
 * Service overhead and throughput, same images, same run, printed as ratios (docs/operations.md):
 *   raw   onnxruntime-node session.run on the calling thread: batch 1 per image, and back-to-back
 *         batches of --batch at the service's intra-op threads (the raw throughput);
 *   (c)   sequential multipart upload → decode → preprocess → queue → model → FHIR → Postgres → 201,
 *         median, against the raw batch-1 run (target ≤ 25 % overhead);
 *   (a)   saturated service throughput with --clients concurrent uploaders ÷ raw throughput (≥ 0.90);
 *   (b)   p99 of GET /fhir/metadata probed every 10 ms during (a) (≤ 50 ms and ≤ 0.3 × one inference);
 *         the uploaders and the prober of (a) and (b) run in their own process (bench/support/upload-load.ts);
 *   RSS   peak resident set of the whole process (threads included) during (a) (≤ 1 GiB).
 * Run:  node -r ./tools/register.js bench/service-overhead.bench.ts [--images 12] [--clients 8] [--batch 4] [--embedded]
 * Uses a dedicated database brixia_bench_test on 127.0.0.1:5432 unless --embedded (PGlite in memory).
 * The environment still applies (BRIXIA_EXPLANATIONS=off, BRIXIA_SESSION_THREAD=off to compare, ...). Without
 * MALLOC_ARENA_MAX the bench re-runs itself with MALLOC_ARENA_MAX=2, as the container image and the
 * Kubernetes manifests start the service (docs/operations.md); set MALLOC_ARENA_MAX=0 for glibc's default.
 */
import { fork, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Registry } from 'prom-client';
import request from 'supertest';
import { silentLogger } from '@brixia/common';
import { decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
import { makeRasterFixture } from '@brixia/imaging/testing';
import { openBsnetSession, openThreadedBsnetSession, type BsnetOutputName } from '@brixia/inference';
import { EXPLANATION_QUEUE, SCORING_QUEUE } from '@brixia/persistence';
import { createTestDatabase } from '@brixia/persistence/testing';
import { loadConfig } from '../apps/api/src/config';
import { createHttpApp } from '../apps/api/src/http-app';
import { createRuntime, type Runtime } from '../apps/api/src/runtime';
import type { LoadResult } from './support/upload-load';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
/** Mean seconds per label of a histogram in the service's registry (stage → mean), and the count. */
type HistogramMeans = Record<string, { sum: number; count: number }>;
async function histogramTotals(registry: Registry, name: string, label?: string): Promise<HistogramMeans> {
  const metric = registry.getSingleMetric(name);
  const totals: HistogramMeans = {};
  if (!metric) return totals;
  for (const value of (await metric.get()).values as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
    const key = label ? String(value.labels[label] ?? '') : 'all';
    const entry = (totals[key] ??= { sum: 0, count: 0 });
    if (value.metricName === `${name}_sum`) entry.sum += value.value;
    if (value.metricName === `${name}_count`) entry.count += value.value;
  }
  return totals;
}
const meansBetween = (before: HistogramMeans, after: HistogramMeans, scale: number): string =>
  Object.entries(after)
    .map(([key, { sum, count }]) => {
      const n = count - (before[key]?.count ?? 0);
      return n > 0 ? `${key} ${((sum - (before[key]?.sum ?? 0)) / n * scale).toFixed(scale === 1 ? 2 : 0)}` : undefined;
    })
    .filter(Boolean)
    .join(', ');

/**
 * CPU seconds of every PostgreSQL process on this machine (user + system, from /proc; 0 where /proc is not
 * readable): the database's share of the work per image, which on one machine competes with the model too.
 */
function postgresCpuSeconds(): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!comm.startsWith('postgres')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // the process ended between the listing and the read
    }
  }
  return ticks / ticksPerSecond;
}
const processCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '12' },
      clients: { type: 'string', default: '8' },
      batch: { type: 'string', default: '4' },
      embedded: { type: 'boolean', default: false },
    },
  });
  const imageCount = Number(values.images);
  const clients = Number(values.clients);
  const batch = Number(values.batch);
  const loadBefore = load();
  const makeImages = (offset: number, count: number): Promise<Buffer[]> =>
    Promise.all(Array.from({ length: count }, (_, i) => makeRasterFixture({ format: 'png', width: 1024, height: 1024, seed: offset + i })));
  const images = await makeImages(1000, imageCount);
  // The load process makes its own images first (CPU), before anything here is timed.
  const perClient = Math.max(2, Math.ceil(imageCount / clients));
  const loadProcess = startLoadProcess({ clients, perClient, seed: 5000, probeIntervalMs: 10 });
  await (await loadProcess).made;
  const databaseUrl = values.embedded ? undefined : await createTestDatabase('brixia_bench');
  // The uploads wait for their result however long a loaded machine takes (no 202 degradation mid-bench).
  // Authorization off (loopback only): what verifying a token adds per request is bench/token-validation.bench.ts.
  const config = loadConfig({ LOG_LEVEL: 'silent', BRIXIA_MAX_BATCH: String(batch), BRIXIA_SYNC_TIMEOUT_MS: '600000', ...process.env, BRIXIA_AUTH: 'off', HOST: '127.0.0.1', PORT: '0', DATABASE_URL: databaseUrl ?? '', BRIXIA_DATA_DIR: 'memory://' });
  const threads = config.model.intraOpNumThreads;

  // raw session, same provider, batch, intra-op threads and priority as the service: in its own thread at the
  // service's nice when the service runs one (the scheduler would otherwise favour the raw run over the service's
  // lowered inference threads on a shared machine), else on the calling thread.
  const rawOptions = { executionProviders: config.model.executionProviders, intraOpNumThreads: threads, spinWhileWaiting: config.model.spinWhileWaiting, logger: silentLogger };
  const session = config.model.sessionThread ? await openThreadedBsnetSession(rawOptions, config.model.threadNice) : await openBsnetSession(rawOptions);
  const tensors = await Promise.all(images.map(async (png) => preprocessForBsnet((await decodeRadiograph(png)).image)));
  // The outputs the service fetches per job (ort-score-model.adapter.ts): the lung mask and θ for the input
  // gate, the CAMs when explanations are on. Fetching fewer would time a run the service never makes.
  const outputs: BsnetOutputName[] = config.monitoring.explanations ? ['zone_probs', 'lung_mask', 'alignment', 'zone_cams'] : ['zone_probs', 'lung_mask', 'alignment'];
  await session.run(tensors[0], 1, outputs);
  const raw: number[] = [];
  for (const tensor of tensors) {
    const t0 = performance.now();
    await session.run(tensor, 1, outputs);
    raw.push(performance.now() - t0);
  }
  const stacked = new Float32Array(batch * session.layout.inputSize);
  for (let i = 0; i < batch; i++) stacked.set(tensors[i % tensors.length], i * session.layout.inputSize);
  const rawBatchRuns = Math.max(2, Math.ceil(imageCount / batch));
  const rawCpuBefore = processCpuSeconds();
  const tb = performance.now();
  for (let r = 0; r < rawBatchRuns; r++) await session.run(stacked, batch, outputs);
  const rawBatchThroughput = (rawBatchRuns * batch) / ((performance.now() - tb) / 1000);
  const modelCpuPerImage = (processCpuSeconds() - rawCpuBefore) / (rawBatchRuns * batch);
  // Back-to-back batch-1 runs too: on a CPU a larger batch is not always faster per image (cache and memory
  // bandwidth), and the service's batches are often of one. (a) divides by the better of the two, so it never
  // compares the service with a slower raw run than the session can do.
  const rawSingleCpuBefore = processCpuSeconds();
  const tb1 = performance.now();
  for (const tensor of tensors) await session.run(tensor, 1, outputs);
  const rawSingleThroughput = tensors.length / ((performance.now() - tb1) / 1000);
  const modelCpuPerImageSingle = (processCpuSeconds() - rawSingleCpuBefore) / tensors.length;
  const rawThroughput = Math.max(rawBatchThroughput, rawSingleThroughput);
  const rawBest = rawSingleThroughput > rawBatchThroughput ? { batch: 1, cpu: modelCpuPerImageSingle } : { batch, cpu: modelCpuPerImage };
  await session.release();

  const runtime = await createRuntime(config, config.logLevel === 'silent' ? silentLogger : undefined);
  const app = await createHttpApp(runtime);
  await app.listen(0, '127.0.0.1');
  const http = request(app.getHttpServer());
  const upload = (png: Buffer, patient: string) =>
    http.post('/api/v1/studies').attach('file', png, { filename: 'cxr.png', contentType: 'image/png' }).field('patient', patient).field('acquired', '2024-01-01T00:00:00Z');
  await upload((await makeImages(1, 1))[0], 'warmup').expect(201);

  const registry = runtime.metrics.registry;
  const stagesAt = () => histogramTotals(registry, 'brixia_job_stage_duration_seconds', 'stage');
  const batchesAt = () => histogramTotals(registry, 'brixia_inference_batch_size');
  const stagesBeforeSequential = await stagesAt();
  // (c) sequential
  const endToEnd: number[] = [];
  for (const [i, png] of images.entries()) {
    const t0 = performance.now();
    await upload(png, `bench-${i}`).expect(201);
    endToEnd.push(performance.now() - t0);
  }

  const stagesAfterSequential = await stagesAt();
  const batchesBeforeSaturation = await batchesAt();
  // (a) saturation, with (b) the cheap-read probe, from the load process; the RSS sampler runs alongside
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const ready = await loadProcess;
  const cpuBefore = { service: processCpuSeconds(), postgres: postgresCpuSeconds() };
  const { seconds, latencies, probes } = await ready.go(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
  const burstCpu = { service: processCpuSeconds() - cpuBefore.service, postgres: postgresCpuSeconds() - cpuBefore.postgres };
  const batchesAfterSaturation = await batchesAt();
  const saturatedRss = peakRss;
  // Deferred work (explanation overlays) may still be running: its stage times and memory count too.
  const idleWaitStarted = performance.now();
  await waitForIdle(runtime);
  const drainSeconds = (performance.now() - idleWaitStarted) / 1000;
  const stagesAfterSaturation = await stagesAt();
  clearInterval(sampler);
  await app.close();
  await runtime.close();

  const rawMs = median(raw);
  const e2eMs = median(endToEnd);
  const serviceThroughput = (clients * perClient) / seconds;
  const p99 = percentile(probes, 99);
  const ok = (pass: boolean): string => (pass ? 'met' : 'NOT met');
  console.log(
    `# service overhead (MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX}, ${values.embedded ? 'embedded PGlite' : 'PostgreSQL 15'}, ${config.model.executionProviders.join(',')}, ` +
      `${imageCount} images 1024×1024 PNG, batch ${batch}, intra-op threads ${threads}, session thread ${config.model.sessionThread ? 'on' : 'off'}, ` +
      `decode threads ${config.model.decodeThreads}, thread nice +${config.model.sessionThread ? config.model.threadNice : 0}, explanations ${config.monitoring.explanations ? 'on' : 'off'})`,
  );
  console.log('| measure | value | target |\n|---|---|---|');
  console.log(`| raw session.run, batch 1 (median) | ${rawMs.toFixed(0)} ms | |`);
  console.log(`| raw session throughput, batch ${batch} / batch 1 back to back | ${rawBatchThroughput.toFixed(2)} / ${rawSingleThroughput.toFixed(2)} images/s | |`);
  console.log(`| (c) upload → Observation stored, sequential (median) | ${e2eMs.toFixed(0)} ms | |`);
  console.log(`| (c) overhead over raw batch 1 | ${(((e2eMs - rawMs) / rawMs) * 100).toFixed(1)} % | ≤ 25 %: ${ok(e2eMs <= 1.25 * rawMs)} |`);
  console.log(`| service throughput, ${clients} clients (${clients * perClient} uploads) | ${serviceThroughput.toFixed(2)} images/s | |`);
  console.log(`| (a) service ÷ raw throughput (the better raw figure) | ${(serviceThroughput / rawThroughput).toFixed(2)} | ≥ 0.90: ${ok(serviceThroughput >= 0.9 * rawThroughput)} |`);
  console.log(`| upload latency under load p50 / p95 | ${median(latencies).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)} ms | |`);
  console.log(`| (b) GET /fhir/metadata during saturation p50 / p99 / max (${probes.length} probes) | ${median(probes).toFixed(0)} / ${p99.toFixed(0)} / ${Math.max(...probes).toFixed(0)} ms | |`);
  console.log(`| (b) p99 ÷ one inference (raw batch 1) | ${(p99 / rawMs).toFixed(2)} | ≤ 50 ms and ≤ 0.3: ${ok(p99 <= 50 && p99 <= 0.3 * rawMs)} |`);
  console.log(`| peak RSS (process, all threads) | ${(peakRss / 1024 / 1024).toFixed(0)} MiB | ≤ 1024 MiB: ${ok(peakRss <= 1024 ** 3)} |`);
  console.log(`peak RSS during the burst ${(saturatedRss / 1024 / 1024).toFixed(0)} MiB; deferred work drained ${drainSeconds.toFixed(1)} s after the last upload`);
  const uploads = clients * perClient;
  const serviceCpuPerImage = burstCpu.service / uploads;
  const postgresCpuPerImage = burstCpu.postgres / uploads;
  // When the model alone can keep every core busy, each CPU-second spent on anything else is one the model
  // does not get: the saturated ratio cannot exceed the model's share of the CPU the service spends per image.
  const ceiling = rawBest.cpu / (serviceCpuPerImage + postgresCpuPerImage);
  console.log(
    `CPU per image: raw model ${(modelCpuPerImage * 1000).toFixed(0)} ms at batch ${batch}, ${(modelCpuPerImageSingle * 1000).toFixed(0)} ms at batch 1; ` +
      `saturated service process ${(serviceCpuPerImage * 1000).toFixed(0)} ms + PostgreSQL ${(postgresCpuPerImage * 1000).toFixed(0)} ms ` +
      `(the burst, with the deferred work that ran in it; the load process not counted); ` +
      `CPU-bound ceiling of (a) ≈ ${Math.min(1, ceiling).toFixed(2)} (model CPU of the better raw run, batch ${rawBest.batch}, ÷ the service's)`,
  );
  console.log(`\nstage means, sequential (ms): ${meansBetween(stagesBeforeSequential, stagesAfterSequential, 1000)}`);
  console.log(`stage means, saturated (ms): ${meansBetween(stagesAfterSequential, stagesAfterSaturation, 1000)}`);
  console.log(`inference batch size mean, saturated: ${meansBetween(batchesBeforeSaturation, batchesAfterSaturation, 1)}`);
  console.log(`\n${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} usable), load average before ${loadBefore}, after ${load()}`);
}

interface LoadProcess {
  /** Resolves once the load process has made its images. */
  readonly made: Promise<void>;
  /** Starts the burst against `url`; resolves with its timings (ms; seconds for the whole burst). */
  go(url: string): Promise<{ seconds: number; latencies: number[]; probes: number[] }>;
}

/** Forks bench/support/upload-load.ts (the uploaders and the prober) with this process's TypeScript loader. */
async function startLoadProcess(request: { clients: number; perClient: number; seed: number; probeIntervalMs: number }): Promise<LoadProcess> {
  const child = fork(join(__dirname, 'support', 'upload-load.ts'), [JSON.stringify(request)], { execArgv: process.execArgv, stdio: 'inherit' });
  const messages: Array<(message: { type: string; message?: string }) => void> = [];
  child.on('message', (message: { type: string; message?: string }) => messages.shift()?.(message));
  const next = <T>(): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load process exited (${code}) before answering`));
      child.once('exit', onExit);
      messages.push((message) => {
        child.off('exit', onExit);
        if (message.type === 'failed') reject(new Error(`load process: ${message.message}`));
        else resolve(message as T);
      });
    });
  const made = next<{ type: 'ready' }>().then(() => undefined);
  return {
    made,
    go: async (url) => {
      const done = next<LoadResult>();
      child.send({ url });
      return done;
    },
  };
}

/**
 * Until no scoring or explanation job waits or runs (deferred overlays render after the burst), at most
 * 5 minutes: the RSS sampler keeps running meanwhile, so their memory counts too.
 */
async function waitForIdle(runtime: Runtime): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const rows: { count: string }[] = await runtime.database.dataSource.query(
      "SELECT count(*) AS count FROM pgboss.job WHERE name = ANY($1) AND state IN ('created', 'retry', 'active')",
      [[SCORING_QUEUE, EXPLANATION_QUEUE]],
    );
    if (Number(rows[0]?.count ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

if (process.env.MALLOC_ARENA_MAX === undefined) {
  // glibc reads it at process start only.
  const rerun = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, MALLOC_ARENA_MAX: '2' } });
  process.exit(rerun.status ?? 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
