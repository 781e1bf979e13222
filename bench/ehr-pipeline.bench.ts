/**
 * EHR/PACS pipeline throughput: ImagingStudy reference → EHR read (study, Patient,
 * Endpoint) → QIDO-RS + WADO-RS from Orthanc → decode → BS-Net → FHIR → Postgres → outbox → conditional
 * creates of Device, Observation, DiagnosticReport, Provenance on the EHR (Medplum's FHIR router).
 *   1. per stage: EHR resolution and WADO-RS retrieval alone (median);
 *   2. sequential: reference posted → result published on the EHR (median, p95);
 *   3. throughput: N references posted at once (async) → all published, in studies/minute.
 * Run:  node -r ./tools/register.js bench/ehr-pipeline.bench.ts [--studies 24] [--size 1024]
 * Needs Orthanc + orthanc-dicomweb (Debian) and PostgreSQL on 127.0.0.1:5432 (database brixia_bench_ehr_test).
 */
import { parseArgs } from 'node:util';
import request from 'supertest';
import { silentLogger } from '@brixia/common';
import { createUpstreamFetch, EhrDirectory, resolveExternalImagingStudy, UrlAllowList } from '@brixia/ehr';
import { startFhirPeer } from '@brixia/ehr/testing';
import { WadoRsImageSource } from '@brixia/imaging';
import { createTestDatabase } from '@brixia/persistence/testing';
import { loadConfig } from '../apps/api/src/config';
import { createHttpApp } from '../apps/api/src/http-app';
import { createRuntime } from '../apps/api/src/runtime';
import { scoreReference, seedExternalStudy, type SeededStudy } from '../test/support/ehr-fixtures';
import { startOrthanc } from '../test/support/orthanc';

const sorted = (values: number[]): number[] => [...values].sort((a, b) => a - b);
const median = (values: number[]): number => sorted(values)[Math.floor(values.length / 2)];
const p95 = (values: number[]): number => sorted(values)[Math.min(values.length - 1, Math.floor(0.95 * values.length))];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { studies: { type: 'string', default: '24' }, size: { type: 'string', default: '1024' } } });
  const count = Number(values.studies);
  const size = Number(values.size);
  const [ehr, pacs] = await Promise.all([startFhirPeer(), startOrthanc()]);
  const seed = async (offset: number, n: number): Promise<SeededStudy[]> => {
    const studies: SeededStudy[] = [];
    for (let i = 0; i < n; i++) studies.push(await seedExternalStudy(ehr, pacs, offset + i, { size }));
    return studies;
  };
  const sequentialStudies = await seed(10_000, count);
  const burstStudies = await seed(20_000, count);

  // 1. stages alone
  const directory = await EhrDirectory.create({ servers: [{ baseUrl: ehr.baseUrl, auth: { kind: 'none' } }], limits: { timeoutMs: 10_000, maxResponseBytes: 4 << 20 } });
  const source = new WadoRsImageSource(createUpstreamFetch({ allowList: new UrlAllowList([{ baseUrl: pacs.dicomWebUrl, value: 0 }]), limits: { timeoutMs: 30_000, maxResponseBytes: 128 << 20 }, what: 'PACS' }));
  const resolveMs: number[] = [];
  const fetchMs: number[] = [];
  let bytes = 0;
  for (const study of sequentialStudies.slice(0, Math.min(8, count))) {
    let t0 = performance.now();
    await resolveExternalImagingStudy(directory, study.studyUrl);
    resolveMs.push(performance.now() - t0);
    t0 = performance.now();
    bytes = (await source.fetchImage({ wadoRsBaseUrl: pacs.dicomWebUrl, studyInstanceUid: study.studyInstanceUid, series: [] })).bytes.length;
    fetchMs.push(performance.now() - t0);
  }

  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DATABASE_URL: await createTestDatabase('brixia_bench_ehr'),
    BRIXIA_EHR_BASE_URL: ehr.baseUrl,
    BRIXIA_PACS_WADO_RS_URL: pacs.dicomWebUrl,
    BRIXIA_OUTBOX_POLL_MS: '50',
    BRIXIA_OUTBOX_BASE_DELAY_S: '0.5',
  });
  const runtime = await createRuntime(config, silentLogger);
  const app = await createHttpApp(runtime);
  const http = request(app.getHttpServer());
  const delivered = async (observationId: string): Promise<boolean> => (await http.get(`/api/v1/results/${observationId}/delivery`)).body?.state === 'delivered';
  const waitDelivered = async (ids: string[]): Promise<void> => {
    const pending = new Set(ids);
    while (pending.size > 0) {
      for (const id of [...pending]) if (await delivered(id)) pending.delete(id);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const post = (study: SeededStudy, prefer?: string) => {
    const req = http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', 'application/fhir+json').send(scoreReference(study.studyUrl));
    return prefer ? req.set('Prefer', prefer) : req;
  };

  // 2. sequential, reference → published
  await waitDelivered([(await post((await seed(30_000, 1))[0]).expect(201)).body.id]);
  const endToEnd: number[] = [];
  for (const study of sequentialStudies) {
    const t0 = performance.now();
    const observation = (await post(study).expect(201)).body as fhir4.Observation;
    await waitDelivered([observation.id as string]);
    endToEnd.push(performance.now() - t0);
  }

  // 3. burst: all references at once (async), until every result is on the EHR
  const t0 = performance.now();
  const taskPaths = await Promise.all(burstStudies.map(async (study) => new URL(String((await post(study, 'respond-async').expect(202)).headers['content-location'])).pathname));
  const observationIds: string[] = [];
  for (const path of taskPaths) {
    for (;;) {
      const task = (await http.get(path).expect(200)).body as fhir4.Task;
      const reference = task.output?.find((o) => o.valueReference?.reference?.startsWith('Observation/'))?.valueReference?.reference;
      if (reference) {
        observationIds.push(reference.slice('Observation/'.length));
        break;
      }
      if (task.status === 'failed') throw new Error(`task failed: ${JSON.stringify(task.statusReason)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await waitDelivered(observationIds);
  const burstSeconds = (performance.now() - t0) / 1000;
  const observationsOnEhr = (await ehr.search('Observation', {})).length;

  await app.close();
  await runtime.close();
  await Promise.all([ehr.close(), pacs.close()]);

  console.log(`# EHR/PACS pipeline (Orthanc 1.10 + DICOMweb 1.7, Medplum FhirRouter 4.5.2, PostgreSQL 15, CPU EP, worker concurrency ${config.worker.concurrency})`);
  console.log(`${count} studies per phase, DX ${size}×${size} 12-bit Explicit VR LE (${(bytes / 1024 / 1024).toFixed(1)} MiB each)\n`);
  console.log('| measure | value |\n|---|---|');
  console.log(`| EHR resolution (ImagingStudy + Patient + Endpoint), median | ${median(resolveMs).toFixed(0)} ms |`);
  console.log(`| QIDO-RS + WADO-RS retrieval, median | ${median(fetchMs).toFixed(0)} ms |`);
  console.log(`| reference → result published on the EHR, sequential, median / p95 | ${median(endToEnd).toFixed(0)} / ${p95(endToEnd).toFixed(0)} ms |`);
  console.log(`| sequential throughput | ${(60_000 / median(endToEnd)).toFixed(1)} studies/min |`);
  console.log(`| burst of ${count} async references → all published | ${burstSeconds.toFixed(1)} s = ${((count / burstSeconds) * 60).toFixed(1)} studies/min |`);
  console.log(`| Observations on the EHR (expected ${2 * count + 1}) | ${observationsOnEhr} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
