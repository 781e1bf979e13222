import { makeRasterFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startServiceProcess, type ServiceProcess } from './support/process';

/**
 * Accepted work is never lost: an API-only process records requests, a worker that is killed
 * with SIGKILL mid-job leaves its job to expire and be redone by the next worker, and every
 * request ends with exactly one Observation.
 */
describe('durable queue across processes (PostgreSQL)', () => {
  const processes: ServiceProcess[] = [];

  afterAll(async () => {
    for (const p of processes) await p.stop('SIGKILL').catch(() => undefined);
  });

  it('redoes the job of a killed worker and stores one result per request', async () => {
    const databaseUrl = await createTestDatabase('brixia_durability');
    // A job's expiry must not race a live worker (one job takes ≈ 0.3 s idle, several seconds on loaded
    // cores; a running job past its expiry is redone too, which kept a task in progress at load 30): 30 s,
    // after which the killed worker's job is redone.
    const common = { DATABASE_URL: databaseUrl, BRIXIA_JOB_EXPIRE_S: '30', BRIXIA_QUEUE_MAINTENANCE_S: '1', BRIXIA_JOB_RETRY_DELAY_S: '1' };
    const api = await startServiceProcess({ ...common, BRIXIA_ROLE: 'api' });
    processes.push(api);

    const taskUrls: string[] = [];
    for (let i = 0; i < 6; i++) {
      const form = new FormData();
      form.set('file', new Blob([await makeRasterFixture({ format: 'png', width: 300, height: 300, seed: 100 + i })], { type: 'image/png' }), 'cxr.png');
      form.set('patient', `durable-${i}`);
      form.set('acquired', '2024-06-01T10:00:00Z');
      const accepted = await api.fetch(`/api/v1/studies`, { method: 'POST', body: form, headers: { Prefer: 'respond-async' } });
      expect(accepted.status).toBe(202);
      taskUrls.push(new URL(String(accepted.headers.get('content-location'))).pathname);
    }
    const statusOf = async (path: string): Promise<string> => ((await (await api.fetch(path)).json()) as fhir4.Task).status;
    expect(await Promise.all(taskUrls.map(statusOf))).toEqual(Array(6).fill('requested'));

    const doomed = await startServiceProcess({ ...common, BRIXIA_ROLE: 'worker', BRIXIA_WORKER_CONCURRENCY: '1' });
    processes.push(doomed);
    const deadline = Date.now() + 60_000;
    let inProgress = false;
    while (!inProgress && Date.now() < deadline) {
      inProgress = (await Promise.all(taskUrls.map(statusOf))).includes('in-progress');
      if (!inProgress) await new Promise((r) => setTimeout(r, 20));
    }
    expect(inProgress).toBe(true);
    await doomed.stop('SIGKILL');
    const afterKill = await Promise.all(taskUrls.map(statusOf));
    expect(afterKill.filter((s) => s === 'completed').length).toBeLessThan(6);

    processes.push(await startServiceProcess({ ...common, BRIXIA_ROLE: 'worker', BRIXIA_WORKER_CONCURRENCY: '2' }));
    const finalDeadline = Date.now() + 240_000;
    let statuses = afterKill;
    while (statuses.some((s) => s !== 'completed') && Date.now() < finalDeadline) {
      await new Promise((r) => setTimeout(r, 250));
      statuses = await Promise.all(taskUrls.map(statusOf));
    }
    expect(statuses).toEqual(Array(6).fill('completed'));
    for (let i = 0; i < 6; i++) {
      const bundle = (await (await api.fetch(`/fhir/Observation?subject=Patient/durable-${i}`)).json()) as fhir4.Bundle;
      expect(bundle.total).toBe(1);
    }
  }, 600_000); // up to 60 s for a job in progress, three process starts (model loads), 240 s to finish
});
