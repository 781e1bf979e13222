import { startFhirPeer, type FhirPeer } from '@brixia/ehr/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { scoreReference, seedExternalStudy, type SeededStudy } from './support/ehr-fixtures';
import { startOrthanc, type OrthancServer } from './support/orthanc';
import { startServiceProcess, type ServiceProcess } from './support/process';

// Size from the environment. The operations target is BRIXIA_SCALEOUT_STUDIES=300 with 3 workers and a
// kill every 10 s; that takes far longer than 10 minutes on a shared 2-core machine (README, "Scale-out").
// BRIXIA_SCALEOUT_KILL_EVERY_S=0 runs without kills (the 1 vs 2 worker comparison of docs/operations.md).
const STUDIES = Number(process.env['BRIXIA_SCALEOUT_STUDIES'] ?? 12);
const WORKERS = Number(process.env['BRIXIA_SCALEOUT_WORKERS'] ?? 3);
const KILL_EVERY_MS = Number(process.env['BRIXIA_SCALEOUT_KILL_EVERY_S'] ?? 10) * 1000;
const POLL_MS = 1000;
// Nothing here depends on speed: the bound only stops a run that would never end.
const FINISH_WITHIN_MS = Number(process.env['BRIXIA_SCALEOUT_LIMIT_S'] ?? 3 * 3600) * 1000;

/** The value of one Prometheus sample line `<series> <value>` (0 when absent). */
function sampleOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * Scale-out under failure: 1 API + WORKERS worker processes on one PostgreSQL, a random worker
 * SIGKILLed every KILL_EVERY_MS and restarted. Every Task completes exactly once, no Observation is
 * duplicated here or on the EHR, and each result's outbox message is delivered once.
 */
// Opt-in (BRIXIA_SCALEOUT_STUDIES set): minutes to hours of CPU for the whole suite's 2 cores.
const describeScaleOut = process.env['BRIXIA_SCALEOUT_STUDIES'] ? describe : describe.skip;

describeScaleOut('scale-out: 1 api + N workers, random SIGKILL', () => {
  const processes = new Set<ServiceProcess>();
  let ehr: FhirPeer;
  let pacs: OrthancServer;

  beforeAll(async () => {
    [ehr, pacs] = await Promise.all([startFhirPeer(), startOrthanc()]);
  }, 300_000);
  afterAll(async () => {
    for (const p of processes) await p.stop('SIGKILL').catch(() => undefined);
    await Promise.all([ehr?.close(), pacs?.close()]);
  });

  it(`completes ${STUDIES} studies exactly once while workers are killed`, async () => {
    const common = {
      DATABASE_URL: await createTestDatabase('brixia_scale_out'),
      BRIXIA_EHR_BASE_URL: ehr.baseUrl,
      BRIXIA_EHR_TIMEOUT_MS: '5000',
      BRIXIA_PACS_WADO_RS_URL: pacs.dicomWebUrl,
      // Short, so a killed worker's jobs come back soon; a live job outlasting it is redone beside the first
      // one (both finish; the Task completes once, see ScoringStore.markTaskProgress).
      BRIXIA_JOB_EXPIRE_S: '15',
      BRIXIA_QUEUE_MAINTENANCE_S: '1',
      BRIXIA_JOB_RETRY_DELAY_S: '1',
      BRIXIA_JOB_RETRY_LIMIT: '50',
      BRIXIA_OUTBOX_BASE_DELAY_S: '0.5',
      BRIXIA_OUTBOX_POLL_MS: '200',
      BRIXIA_EXPLANATIONS: 'off',
      BRIXIA_INFERENCE_THREADS: '1',
    };
    const studies: SeededStudy[] = [];
    for (let i = 0; i < STUDIES; i++) studies.push(await seedExternalStudy(ehr, pacs, 5000 + i, { size: 256 }));
    const api = await startServiceProcess({ ...common, BRIXIA_ROLE: 'api' }, 600_000);
    processes.add(api);
    const taskPaths: string[] = [];
    for (const study of studies) {
      const accepted = await api.fetch('/fhir/ImagingStudy/$brixia-score', {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', prefer: 'respond-async' },
        body: JSON.stringify(scoreReference(study.studyUrl)),
      });
      expect(accepted.status).toBe(202);
      taskPaths.push(new URL(String(accepted.headers.get('content-location'))).pathname);
    }
    const startWorker = async (): Promise<ServiceProcess> => {
      const worker = await startServiceProcess({ ...common, BRIXIA_ROLE: 'worker', BRIXIA_WORKER_CONCURRENCY: '2' }, 600_000);
      processes.add(worker);
      return worker;
    };
    const started = Date.now();
    // One slot per worker: its running process, or the restart under way (a kill does not wait for it).
    const slots: Array<{ worker?: ServiceProcess; restart?: Promise<void> }> = [];
    for (let i = 0; i < WORKERS; i++) slots.push({ worker: await startWorker() });

    const finished = async (): Promise<boolean> => {
      for (const path of taskPaths) {
        const task = (await (await api.fetch(path)).json()) as fhir4.Task;
        if (task.status !== 'completed' || task.businessStatus?.text !== 'done') return false;
      }
      return true;
    };
    let kills = 0;
    const deadline = started + FINISH_WITHIN_MS;
    // The first kill comes at once, so a run kills at least one worker whatever the machine's speed (the
    // studies could otherwise all finish before it); then one every KILL_EVERY_MS.
    let nextKill = Date.now();
    do {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const running = slots.filter((slot) => slot.worker !== undefined);
      if (KILL_EVERY_MS === 0 || Date.now() < nextKill || running.length === 0) continue;
      // Every KILL_EVERY_MS a random running worker is SIGKILLed and restarted in the background.
      const slot = running[Math.floor(Math.random() * running.length)];
      const victim = slot.worker as ServiceProcess;
      slot.worker = undefined;
      await victim.stop('SIGKILL');
      processes.delete(victim);
      kills++;
      nextKill = Date.now() + KILL_EVERY_MS;
      slot.restart = startWorker().then((worker) => {
        slot.worker = worker;
      });
    } while (!(await finished()) && Date.now() < deadline);
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(slots.map((slot) => slot.restart));
    if (KILL_EVERY_MS > 0) expect(kills).toBeGreaterThan(0);

    const tasks = await Promise.all(taskPaths.map(async (path) => (await (await api.fetch(path)).json()) as fhir4.Task));
    const done = tasks.filter((t) => t.status === 'completed' && t.businessStatus?.text === 'done').length;
    process.stdout.write(
      `scale-out: ${STUDIES} studies, ${WORKERS} worker(s), ${kills} kills, ${done} done in ${seconds.toFixed(0)} s from the first worker's start ` +
        `(${(done / seconds).toFixed(3)} studies/s)\n`,
    );
    expect(tasks.map((t) => [t.status, t.businessStatus?.text])).toEqual(Array(STUDIES).fill(['completed', 'done']));
    // Local Observation ids derive from the Task (a redo rewrites the same row); the EHR is the one
    // that could gain a second copy from a redelivered message, so it is counted there.
    for (const study of studies) {
      expect(await ehr.search('Observation', { subject: `Patient/${study.patientId}` })).toHaveLength(1);
      expect(await ehr.search('DiagnosticReport', { subject: `Patient/${study.patientId}` })).toHaveLength(1);
    }
    // Completed exactly once: in each Task's history (oldest first) `completed` is entered once and never
    // left, i.e. no redone or late job reopened it (the bug that left Tasks at `publishing`).
    for (const path of taskPaths) {
      const history = (await (await api.fetch(`${path}/_history?_count=1000`)).json()) as fhir4.Bundle;
      const statuses = (history.entry ?? []).map((e) => (e.resource as fhir4.Task).status).reverse();
      const firstCompleted = statuses.indexOf('completed');
      expect(firstCompleted).toBeGreaterThanOrEqual(0);
      expect(statuses.slice(firstCompleted).every((s) => s === 'completed')).toBe(true);
    }
    // Each result message delivered once: every one `delivered` (none pending, none dead), and the EHR
    // created each Observation once. At-least-once delivery may repeat a POST after a kill between the
    // EHR's answer and the outbox's commit; the conditional create answers it 200 without a second copy.
    const metrics = await (await fetch(`${api.baseUrl}/metrics`)).text(); // public, as Prometheus scrapes it
    const outbox = (state: string): number => sampleOf(metrics, `brixia_outbox_messages{state="${state}"}`);
    expect([outbox('delivered'), outbox('pending'), outbox('dead')]).toEqual([STUDIES, 0, 0]);
    const observationPosts = ehr.requests.filter((r) => r.method === 'POST' && r.url.startsWith('/fhir/Observation'));
    expect(observationPosts.filter((r) => r.status === 201)).toHaveLength(STUDIES);
    const repeated = observationPosts.filter((r) => r.status === 200).length;
    process.stdout.write(`scale-out: ${repeated} repeated Observation POSTs answered by the conditional create\n`);
  }, 4 * 3600 * 1000);
});
