/**
 * Service overhead and throughput, same images, same run:
 *   1. raw onnxruntime-node session.run, batch 1, on each image's preprocessed tensor;
 *   2. end to end: multipart upload → decode → preprocess → queue → model → FHIR → Postgres → 201 Observation;
 *   3. throughput with 8 concurrent clients, and the process RSS (peak, sampled every 100 ms).
 * Run:  node -r ./tools/register.js bench/service-overhead.bench.ts [--images 12] [--clients 8] [--embedded]
 * Uses a dedicated database brixia_bench_test on 127.0.0.1:5432 unless --embedded (PGlite in memory).
 */
import { parseArgs } from 'node:util';
import request from 'supertest';
import { silentLogger } from '@brixia/common';
import { decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
import { makeRasterFixture } from '@brixia/imaging/testing';
import { openBsnetSession } from '@brixia/inference';
import { createTestDatabase } from '@brixia/persistence/testing';
import { loadConfig } from '../apps/api/src/config';
import { createHttpApp } from '../apps/api/src/http-app';
import { createRuntime } from '../apps/api/src/runtime';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string', default: '12' }, clients: { type: 'string', default: '8' }, embedded: { type: 'boolean', default: false } } });
  const imageCount = Number(values.images);
  const clients = Number(values.clients);
  const makeImages = (offset: number, count: number): Promise<Buffer[]> =>
    Promise.all(Array.from({ length: count }, (_, i) => makeRasterFixture({ format: 'png', width: 1024, height: 1024, seed: offset + i })));
  const images = await makeImages(1000, imageCount);

  // 1. raw session time
  const session = await openBsnetSession({ executionProviders: ['cpu'], logger: silentLogger });
  const tensors = await Promise.all(images.map(async (png) => preprocessForBsnet((await decodeRadiograph(png)).image)));
  await session.run(tensors[0], 1, ['zone_probs']);
  const raw: number[] = [];
  for (const tensor of tensors) {
    const t0 = performance.now();
    await session.run(tensor, 1, ['zone_probs']);
    raw.push(performance.now() - t0);
  }
  await session.release();

  // 2. end to end, sequential, through the real service
  const databaseUrl = values.embedded ? undefined : await createTestDatabase('brixia_bench');
  // The environment still applies (e.g. BRIXIA_EXPLANATIONS=off, LOG_LEVEL=info to see per-job timings).
  const config = loadConfig({ LOG_LEVEL: 'silent', ...process.env, PORT: '0', DATABASE_URL: databaseUrl ?? '', BRIXIA_DATA_DIR: 'memory://' });
  const runtime = await createRuntime(config, config.logLevel === 'silent' ? silentLogger : undefined);
  const app = await createHttpApp(runtime);
  const http = request(app.getHttpServer());
  const upload = (png: Buffer, patient: string) =>
    http.post('/api/v1/studies').attach('file', png, { filename: 'cxr.png', contentType: 'image/png' }).field('patient', patient).field('acquired', '2024-01-01T00:00:00Z');
  await upload((await makeImages(1, 1))[0], 'warmup').expect(201);
  const endToEnd: number[] = [];
  for (const [i, png] of images.entries()) {
    const t0 = performance.now();
    await upload(png, `bench-${i}`).expect(201);
    endToEnd.push(performance.now() - t0);
  }

  // 3. throughput with concurrent clients
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const perClient = Math.max(2, Math.ceil(imageCount / clients));
  const burst = await makeImages(5000, clients * perClient);
  const t0 = performance.now();
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let k = 0; k < perClient; k++) {
        const s = performance.now();
        await upload(burst[c * perClient + k], `client-${c}`).expect(201);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await app.close();
  await runtime.close();

  const rawMs = median(raw);
  const e2eMs = median(endToEnd);
  console.log(`# service overhead (${values.embedded ? 'embedded PGlite' : 'PostgreSQL 15'}, CPU execution provider, ${imageCount} images 1024×1024 PNG)`);
  console.log('| measure | value |\n|---|---|');
  console.log(`| raw session.run, batch 1 (median) | ${rawMs.toFixed(0)} ms |`);
  console.log(`| upload → Observation stored (median) | ${e2eMs.toFixed(0)} ms |`);
  console.log(`| service overhead | ${(((e2eMs - rawMs) / rawMs) * 100).toFixed(1)} % |`);
  console.log(`| throughput, ${clients} concurrent clients (${clients * perClient} uploads) | ${((clients * perClient) / seconds).toFixed(2)} images/s |`);
  console.log(`| latency under load p50 / p95 | ${median(latencies).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)} ms |`);
  console.log(`| peak RSS | ${(peakRss / 1024 / 1024).toFixed(0)} MiB |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
