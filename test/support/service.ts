import request from 'supertest';
import './fhir-responses';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '../../apps/api/src/config';
import { createHttpApp } from '../../apps/api/src/http-app';
import { createRuntime, type Runtime } from '../../apps/api/src/runtime';
import { silentLogger } from '@brixia/common';
import { makeRasterFixture } from '@brixia/imaging/testing';
import { sharedTestIssuer, startTestIssuer, type TestIssuer, type TokenOptions } from './auth';

export type HttpClient = ReturnType<typeof request.agent>;

export interface TestService {
  readonly runtime: Runtime;
  readonly app: NestExpressApplication;
  /** Sends the default test token (every scope, fhirUser Practitioner/dr-rossi) with every request. */
  readonly http: HttpClient;
  /** No Authorization header: for public routes and refusals. */
  readonly anonymous: ReturnType<typeof request>;
  /** The real OpenID provider the service trusts (undefined when the env named another issuer or auth is off). */
  readonly issuer?: TestIssuer;
  /** The default token `http` sends. */
  readonly token: string;
  /** A token of the test issuer for this service's audience. */
  tokenFor(options?: TokenOptions): Promise<string>;
  /** A client sending the given token (or one made from the options). */
  as(tokenOrOptions: string | TokenOptions): Promise<HttpClient>;
  close(): Promise<void>;
}

/**
 * Starts the real service (role all: API + worker + model) in this process, with a real OpenID provider
 * (oidc-provider on loopback) as its issuer unless the env names one (BRIXIA_AUTH_ISSUER) or turns auth off.
 */
export async function startService(env: Record<string, string | undefined>): Promise<TestService> {
  const base = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', BRIXIA_SYNC_TIMEOUT_MS: '60000', BRIXIA_JOB_RETRY_DELAY_S: '1', BRIXIA_JOB_RETRY_LIMIT: '1', ...env });
  // A service with a public base URL of its own is signed in to from a browser, whose redirects its issuer must
  // list; every other service trusts the Jest worker's shared issuer (any loopback audience, no redirects).
  const signedInFromBrowser = env['BRIXIA_PUBLIC_BASE_URL'] !== undefined;
  const issuer = base.auth.mode === 'on' && !base.auth.issuer ? (signedInFromBrowser ? await startTestIssuer([`${base.publicBaseUrl}/dashboard/`, `${base.publicBaseUrl}/graphql`]) : await sharedTestIssuer()) : undefined;
  const config = issuer ? { ...base, auth: { ...base.auth, issuer: issuer.url } } : base;
  let runtime: Runtime | undefined;
  try {
    runtime = await createRuntime(config, silentLogger);
    const app = await createHttpApp(runtime);
    const started = runtime;
    const tokenFor = async (options: TokenOptions = {}): Promise<string> => {
      if (!issuer) throw new Error('this service trusts no test issuer');
      return issuer.token(config.auth.audience, options);
    };
    const token = issuer ? await tokenFor() : '';
    const agentWith = (value: string): HttpClient => (value ? request.agent(app.getHttpServer()).set('Authorization', `Bearer ${value}`) : request.agent(app.getHttpServer()));
    return {
      runtime,
      app,
      http: agentWith(token),
      anonymous: request(app.getHttpServer()),
      issuer,
      token,
      tokenFor,
      as: async (tokenOrOptions) => agentWith(typeof tokenOrOptions === 'string' ? tokenOrOptions : await tokenFor(tokenOrOptions)),
      async close(): Promise<void> {
        await app.close();
        await started.close();
        await issuer?.close();
      },
    };
  } catch (error) {
    await runtime?.close().catch(() => undefined);
    await issuer?.close();
    throw error;
  }
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

/**
 * Waits until a result's seven explanation overlays exist: they are rendered after the result is
 * published, off the request's path (≈ 1–3 s on the 2-core machine under load), so a test reading
 * them (or closing the service) waits first. `boundMs` bounds a hang, not a speed.
 */
export async function explanationImagesRendered(service: TestService, observationId: string, boundMs = 120_000): Promise<void> {
  const query = `query A($id: ID!) { assessment(observationId: $id) { explanationImages { url } } }`;
  const deadline = Date.now() + boundMs;
  for (;;) {
    const body = (await service.http.post('/graphql').send({ query, variables: { id: observationId } }).expect(200)).body as { data?: { assessment: { explanationImages: unknown[] } } };
    if ((body.data?.assessment.explanationImages.length ?? 0) >= 7) return;
    if (Date.now() > deadline) throw new Error(`explanation images not rendered after ${boundMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
