import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeRasterFixture } from '@brixia/imaging/testing';
import { startServiceProcess, type ServiceProcess } from './support/process';

/** The newcomer's path: `npm start` with no DATABASE_URL → embedded PGlite, bundled model. */
describe('npm start on the embedded default (PGlite)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'brixia-pglite-'));
  let service: ServiceProcess | undefined;

  afterAll(async () => {
    await service?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves /health, scores an upload end to end, and keeps the result across a restart', async () => {
    const env = { DATABASE_URL: '', BRIXIA_DATA_DIR: dataDir };
    service = await startServiceProcess(env);
    const health = await (await service.fetch(`/health`, { headers: { authorization: '' } })).json();
    expect(health).toMatchObject({ status: 'ok', database: 'embedded', executionProvider: 'cpu' });

    const form = new FormData();
    const png = await makeRasterFixture({ format: 'png', width: 400, height: 400, seed: 21 });
    form.set('file', new Blob([png], { type: 'image/png' }), 'cxr.png');
    form.set('patient', 'patient-embedded');
    form.set('acquired', '2024-05-01T09:00:00Z');
    const scored = await service.fetch(`/api/v1/studies`, { method: 'POST', body: form });
    expect(scored.status).toBe(201);
    const observation = (await scored.json()) as fhir4.Observation;
    expect(observation.resourceType).toBe('Observation');
    expect(service.output()).toMatch(/"executionProvider":"cpu"/);

    await service.stop('SIGTERM');
    expect(service.output()).toMatch(/shutting down/);
    service = await startServiceProcess(env);
    const reread = await service.fetch(`/fhir/Observation/${observation.id}`);
    expect(reread.status).toBe(200);
    expect(((await reread.json()) as fhir4.Observation).valueInteger).toBe(observation.valueInteger);
  });
});
