import request from 'supertest';
import './fhir-responses';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '../../apps/api/src/config';
import { createHttpApp, type HttpAppOptions } from '../../apps/api/src/http-app';
import { createRuntime, type Runtime } from '../../apps/api/src/runtime';
import { silentLogger } from '@brixia/common';
import { makeRasterFixture } from '@brixia/imaging/testing';

export interface TestService {
  readonly runtime: Runtime;
  readonly app: NestExpressApplication;
  readonly http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/** Starts the real service (role all: API + worker + model) in this process. */
export async function startService(env: Record<string, string | undefined>, options: HttpAppOptions = {}): Promise<TestService> {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', BRIXIA_SYNC_TIMEOUT_MS: '60000', BRIXIA_JOB_RETRY_DELAY_S: '1', BRIXIA_JOB_RETRY_LIMIT: '1', ...env });
  const runtime = await createRuntime(config, silentLogger);
  const app = await createHttpApp(runtime, options);
  return {
    runtime,
    app,
    http: request(app.getHttpServer()),
    async close(): Promise<void> {
      await app.close();
      await runtime.close();
    },
  };
}

export const FHIR_JSON = 'application/fhir+json';

/** What `uploadRadiograph` sends: a generated PNG (seeded, 600×500 unless said) for a patient and acquisition time. */
export interface RadiographUpload {
  readonly patient: string;
  readonly acquired: string;
  readonly seed: number;
  readonly width?: number;
  readonly height?: number;
  /** e.g. `respond-async`. */
  readonly prefer?: string;
}

/** Uploads a generated PNG radiograph to `POST /api/v1/studies` and checks the status (201 unless said). */
export async function uploadRadiograph(service: TestService, upload: RadiographUpload, status = 201): Promise<request.Response> {
  const png = await makeRasterFixture({ format: 'png', width: upload.width ?? 600, height: upload.height ?? 500, seed: upload.seed });
  const req = service.http.post('/api/v1/studies').attach('file', png, { filename: 'cxr.png', contentType: 'image/png' }).field('patient', upload.patient).field('acquired', upload.acquired);
  return (upload.prefer ? req.set('Prefer', upload.prefer) : req).expect(status);
}

/** Polls a Task until it ends (async pattern), bounded. */
export async function waitForTask(service: TestService, taskPath: string, timeoutMs = 60_000): Promise<fhir4.Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await service.http.get(taskPath).expect(200);
    const task = response.body as fhir4.Task;
    if (task.status === 'completed' || task.status === 'failed') return task;
    if (Date.now() > deadline) throw new Error(`Task still ${task.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
