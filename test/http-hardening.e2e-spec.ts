import type { Server } from 'node:http';
import { createTestDatabase } from '@brixia/persistence/testing';
import type { TokenOptions } from './support/auth';
import { startService, type TestService } from './support/service';

// Rate limits are kept per client and user: two users of the test issuer's client have budgets of their own.
const clientA: TokenOptions = { scope: 'system/*.cruds', fhirUser: 'Practitioner/user-a' };
const clientB: TokenOptions = { scope: 'system/*.cruds', fhirUser: 'Practitioner/user-b' };
const ASSESSMENT_FIELDS = '{ observationId taskId patientId status versionId global observation task diagnosticReport explanationImages { kind zone url contentType mediaId } radiographUrl }';

describe('hardened HTTP surface (defaults)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService(
      { DATABASE_URL: await createTestDatabase('hardening_e2e'), BRIXIA_ROLE: 'api', BRIXIA_EHR_SUBSCRIBER_BASE_URLS: 'http://127.0.0.1:9', BRIXIA_RATE_SCORING_PER_MIN: '2', BRIXIA_RATE_OCCLUSION_PER_HOUR: '1', BRIXIA_HTTP_HEADERS_TIMEOUT_MS: '15000', BRIXIA_HTTP_REQUEST_TIMEOUT_MS: '90000' },
    );
    for (const options of [clientA, clientB]) tokens.set(options, await service.tokenFor(options));
  }, 300_000);

  afterAll(async () => {
    await service?.close();
  });

  // Minted once in beforeAll (the helpers return supertest requests, which must not be awaited early).
  const tokens = new Map<TokenOptions, string>();
  const bearer = (options: TokenOptions): string => `Bearer ${tokens.get(options) ?? ''}`;
  const gql = (query: string, principal: TokenOptions = clientA) => service.anonymous.post('/graphql').set('Authorization', bearer(principal)).send({ query });

  it('sends security headers with a CSP that allows only same-origin script, style, images and connections', async () => {
    for (const path of ['/dashboard/', '/fhir/metadata']) {
      const response = await service.http.get(path).expect(200);
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('marks patient data no-store (FHIR, timeline, GraphQL) but lets the dashboard assets be cached normally', async () => {
    for (const response of [
      await service.http.get('/fhir/Observation?patient=nobody').expect(200),
      await service.http.get('/api/v1/patients/nobody/timeline').expect(200),
      await gql('{ patients(first: 1) { edges { cursor } } }').expect(200),
      await service.http.get('/fhir/Binary/no-such-image').expect(404),
    ]) {
      expect(response.headers['cache-control']).toBe('no-store');
    }
    expect((await service.http.get('/dashboard/styles.css').expect(200)).headers['cache-control']).not.toBe('no-store');
  });

  it('keeps CORS closed when no allow-list is configured (no Access-Control-Allow-Origin, also on preflight)', async () => {
    const simple = await service.http.get('/fhir/metadata').set('Origin', 'https://evil.example').expect(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await service.http.options('/graphql').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('refuses introspection by default', async () => {
    const response = await gql('{ __schema { queryType { name } } }').expect(400);
    expect(response.body.errors[0].extensions.code).toBe('REQUEST.INVALID');
    expect(JSON.stringify(response.body)).not.toContain('"queryType":{');
  });

  it('counts every alias in the cost limit: 500 aliased assessments are refused before they run', async () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `a${i}: assessment(observationId: "x${i}") ${ASSESSMENT_FIELDS}`).join(' ');
    const response = await gql(`{ ${aliases} }`).expect(400);
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].extensions.code).toBe('REQUEST.TOO_COMPLEX');
    expect(response.body.data).toBeUndefined();
    // One assessment (what the dashboard asks) stays well within the limit.
    const one = await gql(`{ assessment(observationId: "x") ${ASSESSMENT_FIELDS} }`).expect(200);
    expect(one.body.errors[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
  });

  it('rate-limits $brixia-score per client with 429 + Retry-After, other clients unaffected', async () => {
    const score = (principal: TokenOptions) => service.anonymous.post('/fhir/ImagingStudy/no-such-study/$brixia-score').set('Authorization', bearer(principal));
    await score(clientA).expect(404);
    await score(clientA).expect(404);
    const limited = await score(clientA).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'throttled', details: { text: 'REQUEST.RATE_LIMITED' } }] });
    // The upload route spends the same budget.
    await service.anonymous.post('/api/v1/studies').set('Authorization', bearer(clientA)).attach('file', Buffer.from('x'), 'x.png').expect(429);
    await score(clientB).expect(404);
  });

  it('rate-limits explainByOcclusion per client with HTTP 429 + Retry-After', async () => {
    const first = await gql('mutation { explainByOcclusion(taskId: "no-such-task") { images } }', clientB).expect(200);
    expect(first.body.errors[0].extensions.code).not.toBe('REQUEST.RATE_LIMITED');
    const limited = await gql('mutation { a: explainByOcclusion(taskId: "t1") { images } }', clientB).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);
    expect(limited.body.errors[0].extensions.code).toBe('REQUEST.RATE_LIMITED');
    // Another client has its own budget.
    const other = await gql('mutation { explainByOcclusion(taskId: "t1") { images } }', clientA).expect(200);
    expect(other.body.errors[0].extensions.code).not.toBe('REQUEST.RATE_LIMITED');
  });

  it('sets explicit request and header timeouts on the HTTP server', () => {
    const server = service.app.getHttpServer() as Server;
    expect(server.headersTimeout).toBe(15_000);
    expect(server.requestTimeout).toBe(90_000);
  });

  it('never serves Subscription channel headers (create and read), though they are kept for delivery', async () => {
    const created = await service.http
      .post('/fhir/Subscription')
      .set('Content-Type', 'application/fhir+json')
      .send({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'hardening test',
        criteria: `${service.runtime.config.fhir.canonicalBase}/SubscriptionTopic/brixia-result`,
        channel: {
          type: 'rest-hook',
          endpoint: 'http://127.0.0.1:9/hook',
          payload: 'application/fhir+json',
          header: ['Authorization: Bearer secret-hook-token'],
          _payload: { extension: [{ url: 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content', valueCode: 'id-only' }] },
        },
      });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const read = await service.http.get(`/fhir/Subscription/${id}`).expect(200);
    for (const body of [created.body, read.body]) {
      expect(body.channel.endpoint).toBe('http://127.0.0.1:9/hook');
      expect(body.channel.header).toBeUndefined();
      expect(JSON.stringify(body)).not.toContain('secret-hook-token');
    }
    const stored: Array<{ headers: string[] }> = await service.runtime.database.dataSource.query(`SELECT headers FROM fhir_subscription WHERE id = $1`, [id]);
    expect(stored[0].headers).toEqual(['Authorization: Bearer secret-hook-token']);
  });
});

describe('hardened HTTP surface (configured)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('hardening_configured_e2e'), BRIXIA_ROLE: 'api', BRIXIA_CORS_ORIGINS: 'https://ward.example.org', BRIXIA_GRAPHQL_INTROSPECTION: 'on' });
  }, 300_000);

  afterAll(async () => {
    await service?.close();
  });

  it('answers CORS for listed origins only', async () => {
    const allowed = await service.http.get('/fhir/metadata').set('Origin', 'https://ward.example.org').expect(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ward.example.org');
    const preflight = await service.http.options('/graphql').set('Origin', 'https://ward.example.org').set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type');
    expect(preflight.status).toBe(204);
    expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const other = await service.http.get('/fhir/metadata').set('Origin', 'https://evil.example').expect(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves introspection when enabled', async () => {
    const response = await service.http.post('/graphql').send({ query: '{ __schema { queryType { name } } }' }).expect(200);
    expect(response.body.data.__schema.queryType.name).toBe('Query');
  });
});
