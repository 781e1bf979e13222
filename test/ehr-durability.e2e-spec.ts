import { startFhirPeer, type FhirPeer } from '@brixia/ehr/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { scoreReference, seedExternalStudy, type SeededStudy } from './support/ehr-fixtures';
import { startOrthanc, type OrthancServer } from './support/orthanc';
import { startServiceProcess, type ServiceProcess } from './support/process';

/**
 * A worker killed with SIGKILL in the middle of EHR/PACS jobs: its jobs are redone by the next worker,
 * and the EHR still holds exactly one Observation per study (idempotent ids + conditional create).
 */
describe('killed worker on the EHR/PACS path', () => {
  const processes: ServiceProcess[] = [];
  let ehr: FhirPeer;
  let pacs: OrthancServer;

  beforeAll(async () => {
    [ehr, pacs] = await Promise.all([startFhirPeer(), startOrthanc()]);
  });
  afterAll(async () => {
    for (const p of processes) await p.stop('SIGKILL').catch(() => undefined);
    await Promise.all([ehr?.close(), pacs?.close()]);
  });

  it('redoes the jobs and publishes each result once', async () => {
    const common = {
      DATABASE_URL: await createTestDatabase('brixia_ehr_durability'),
      BRIXIA_EHR_BASE_URL: ehr.baseUrl,
      BRIXIA_EHR_TIMEOUT_MS: '30000',
      BRIXIA_PACS_WADO_RS_URL: pacs.dicomWebUrl,
      // Longer than a live job takes on loaded cores (several seconds), so expiry only redoes the killed worker's.
      BRIXIA_JOB_EXPIRE_S: '20',
      BRIXIA_QUEUE_MAINTENANCE_S: '1',
      BRIXIA_JOB_RETRY_DELAY_S: '1',
      BRIXIA_OUTBOX_BASE_DELAY_S: '0.5',
      BRIXIA_OUTBOX_POLL_MS: '200',
    };
    const studies: SeededStudy[] = await Promise.all([401, 402, 403, 404].map((seed) => seedExternalStudy(ehr, pacs, seed)));
    const api = await startServiceProcess({ ...common, BRIXIA_ROLE: 'api' });
    processes.push(api);
    const taskPaths: string[] = [];
    for (const study of studies) {
      const accepted = await api.fetch(`/fhir/ImagingStudy/$brixia-score`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', prefer: 'respond-async' },
        body: JSON.stringify(scoreReference(study.studyUrl)),
      });
      expect(accepted.status).toBe(202);
      taskPaths.push(new URL(String(accepted.headers.get('content-location'))).pathname);
    }
    const tasks = async (): Promise<fhir4.Task[]> => Promise.all(taskPaths.map(async (path) => (await (await api.fetch(path)).json()) as fhir4.Task));

    const doomed = await startServiceProcess({ ...common, BRIXIA_ROLE: 'worker', BRIXIA_WORKER_CONCURRENCY: '1' });
    processes.push(doomed);
    const deadline = Date.now() + 60_000;
    while (!(await tasks()).some((task) => task.status === 'in-progress') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await doomed.stop('SIGKILL');
    expect((await tasks()).filter((task) => task.status === 'completed').length).toBeLessThan(4);

    processes.push(await startServiceProcess({ ...common, BRIXIA_ROLE: 'worker', BRIXIA_WORKER_CONCURRENCY: '2' }));
    const finalDeadline = Date.now() + 180_000;
    let done = false;
    while (!done && Date.now() < finalDeadline) {
      await new Promise((r) => setTimeout(r, 300));
      done = (await tasks()).every((task) => task.status === 'completed' && task.businessStatus?.text === 'done');
    }
    expect((await tasks()).map((task) => [task.status, task.businessStatus?.text])).toEqual(Array(4).fill(['completed', 'done']));
    for (const study of studies) {
      expect(await ehr.search('Observation', { subject: `Patient/${study.patientId}` })).toHaveLength(1);
      expect(await ehr.search('DiagnosticReport', { subject: `Patient/${study.patientId}` })).toHaveLength(1);
    }
  }, 600_000); // up to 60 s for a job in progress, three process starts (model loads), 180 s to finish
});
