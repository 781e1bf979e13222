/**
 * The saturating load of bench/service-overhead.bench.ts, in its own process: `clients` concurrent uploaders
 * and the cheap-read prober. In the service's process they would share its event loop, so a client's write
 * of eight 1 MiB bodies at once (measured: one 270 ms stall) would count as the service's latency; here the
 * service's event loop holds only the service. Forked by the bench (IPC):
 *   child → { type: 'ready' } once its images are made; parent → { type: 'go', url };
 *   child → { type: 'done', seconds, latencies, probes } (ms), or { type: 'failed', message }.
 */
import { makeRasterFixture } from '@brixia/imaging/testing';

interface LoadRequest {
  readonly clients: number;
  readonly perClient: number;
  readonly seed: number;
  readonly probeIntervalMs: number;
}

export interface LoadResult {
  readonly type: 'done';
  readonly seconds: number;
  readonly latencies: number[];
  readonly probes: number[];
}

async function upload(url: string, png: Buffer, patient: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), 'cxr.png');
  form.append('patient', patient);
  form.append('acquired', '2024-01-01T00:00:00Z');
  const response = await fetch(`${url}/api/v1/studies`, { method: 'POST', body: form });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`upload answered ${response.status}`);
}

async function probe(url: string): Promise<void> {
  const response = await fetch(`${url}/fhir/metadata`);
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`metadata answered ${response.status}`);
}

async function run(request: LoadRequest): Promise<LoadResult> {
  const { clients, perClient, seed, probeIntervalMs } = request;
  const images = await Promise.all(
    Array.from({ length: clients * perClient }, (_, i) => makeRasterFixture({ format: 'png', width: 1024, height: 1024, seed: seed + i })),
  );
  const go = new Promise<string>((resolve) => process.once('message', (message: { url: string }) => resolve(message.url)));
  process.send?.({ type: 'ready' });
  const url = await go;
  const probes: number[] = [];
  let saturating = true;
  const prober = (async () => {
    while (saturating) {
      const t0 = performance.now();
      await probe(url);
      probes.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, probeIntervalMs));
    }
  })();
  const latencies: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let k = 0; k < perClient; k++) {
        const s = performance.now();
        await upload(url, images[c * perClient + k], `client-${c}`);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  saturating = false;
  await prober;
  return { type: 'done', seconds, latencies, probes };
}

run(JSON.parse(process.argv[2] ?? '{}') as LoadRequest)
  .catch((error: unknown) => ({ type: 'failed', message: error instanceof Error ? error.message : String(error) }))
  .then((message) => process.send?.(message, () => process.disconnect?.()));
