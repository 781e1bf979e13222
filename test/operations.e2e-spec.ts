import { createTestDatabase } from '@brixia/persistence/testing';
import { startServiceProcess, type ServiceProcess } from './support/process';
import { startService, uploadRadiograph, type TestService } from './support/service';

/** Value of one sample line of a Prometheus text exposition (undefined when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('operations endpoints (PostgreSQL, real model)', () => {
  let service: TestService;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('brixia_operations'), BRIXIA_EXPLANATIONS: 'off' });
  }, 300_000);
  afterAll(async () => {
    await service?.close();
    for (const p of processes) await p.stop('SIGKILL').catch(() => undefined);
  });

  it('answers /health/live and /health/ready, and keeps /health, without a token (probes carry none)', async () => {
    await service.anonymous.get('/health/live').expect(200, { status: 'ok' });
    const ready = await service.anonymous.get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ready', ready: true, checks: { database: true, migrations: true, model: true, draining: false } });
    const health = await service.anonymous.get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', role: 'all', executionProvider: 'cpu' });
  });

  it('exports queue, stage, inference, outbox, provider and HTTP metrics after a scored upload', async () => {
    await uploadRadiograph(service, { patient: 'metrics-1', acquired: '2024-02-01T08:00:00Z', seed: 4242 });
    await service.http.get('/fhir/metadata').expect(200);
    // Public like the probes (the Prometheus convention; no PHI in it), so the scrape sends no user token.
    const response = await service.anonymous.get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.text;
    expect(sample(text, 'brixia_queue_jobs', { queue: 'brixia-score', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'brixia_inference_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'brixia_inference_batch_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    for (const stage of ['fetch', 'prepare', 'inference', 'store']) {
      expect(sample(text, 'brixia_job_stage_duration_seconds_count', { stage })).toBe(1);
    }
    // The whole job ends just after the 201 (explanations would follow the result): poll, wide bound.
    let total: number | undefined;
    for (const deadline = Date.now() + 60_000; total === undefined && Date.now() < deadline; ) {
      total = sample((await service.http.get('/metrics').expect(200)).text, 'brixia_job_stage_duration_seconds_count', { stage: 'total' });
      if (total === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(total).toBe(1);
    expect(sample(text, 'brixia_model_info', { role: 'all', execution_provider: 'cpu' })).toBe(1);
    expect(sample(text, 'brixia_outbox_messages', { state: 'dead' })).toBe(0);
    expect(sample(text, 'brixia_http_request_duration_seconds_count', { method: 'POST', route: '/api/v1/studies', status: '201' })).toBe(1);
    expect(sample(text, 'brixia_http_request_duration_seconds_count', { method: 'GET', route: '/fhir/metadata', status: '200' })).toBe(1);
    expect(sample(text, 'brixia_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('gives a worker process a health port, and drains it on SIGTERM', async () => {
    const databaseUrl = await createTestDatabase('brixia_operations_worker');
    const worker = await startServiceProcess({ DATABASE_URL: databaseUrl, BRIXIA_ROLE: 'worker', BRIXIA_METRICS_TOKEN: 'a-metrics-token-of-some-length' }, 300_000);
    processes.push(worker);
    const ready = await fetch(`${worker.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { model: true } });
    expect((await fetch(`${worker.baseUrl}/health/live`)).status).toBe(200);
    expect((await fetch(`${worker.baseUrl}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${worker.baseUrl}/metrics`, { headers: { authorization: 'Bearer a-metrics-token-of-some-length' } });
    expect(metrics.status).toBe(200);
    expect(sample(await metrics.text(), 'brixia_model_info', { role: 'worker', execution_provider: 'cpu' })).toBe(1);
    await worker.stop('SIGTERM');
    expect(worker.output()).toMatch(/"msg":"shutting down"/);
    expect(worker.child.exitCode ?? worker.child.signalCode).not.toBeNull();
  }, 400_000);
});
