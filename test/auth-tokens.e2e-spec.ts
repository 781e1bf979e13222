import { GraphQLSchemaHost } from '@nestjs/graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase } from '@brixia/persistence/testing';
import { isPublicRoute } from '../apps/api/src/auth/public-routes';
import { startService, type TestService } from './support/service';
import { forgedTokens, type ForgedToken } from './support/forged-tokens';

/** Routes served to any valid token (conformance resources) and the one the probe token's scope grants. */
const ANY_TOKEN_ROUTES = ['GET /fhir/CodeSystem/brixia-score', 'GET /fhir/OperationDefinition/brixia-score', 'GET /fhir/Basic/brixia-result', 'GET /fhir/Device/x'];

interface RegisteredRoute {
  readonly method: string;
  readonly path: string;
  readonly fallback: boolean;
}

/** Methods a client sends to a FHIR server; an `@All` route registers every method Node knows (CONNECT, M-SEARCH …). */
const CLIENT_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Every route the Express app behind Nest registers (Express 5 router stack). `fallback` marks the
 * routes of a handler registered for all methods (the FHIR 405 fallback): it serves no data.
 */
function registeredRoutes(service: TestService): RegisteredRoute[] {
  const express = service.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  return express.router.stack.flatMap((layer) => {
    if (!layer.route) return [];
    const methods = Object.keys(layer.route.methods).filter((method) => method !== '_all').map((method) => method.toUpperCase());
    const fallback = methods.length > CLIENT_METHODS.size;
    return methods.filter((method) => CLIENT_METHODS.has(method) && method !== 'HEAD' && method !== 'OPTIONS').map((method) => ({ method, path: layer.route?.path as string, fallback }));
  });
}

/** A concrete URL for a route pattern (`:param` → x, escapes dropped). */
const concrete = (path: string): string => path.replace(/^\/dashboard\/:file$/, '/dashboard/main.js').replace(/^\/dashboard\/vendor\/:file$/, '/dashboard/vendor/d3.js').replace(/:[A-Za-z]+/g, 'x').replace(/\\/g, '');

describe('access tokens: every route needs one, forged ones are refused', () => {
  let service: TestService;
  let forged: ForgedToken[];

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('auth_tokens') });
    forged = await forgedTokens(service.issuer as NonNullable<TestService['issuer']>, service.runtime.config.auth.audience, service.token);
  });

  afterAll(async () => {
    await service?.close();
  });

  it('serves a real token of the issuer (control)', async () => {
    await service.http.get('/fhir/Observation').query({ subject: 'Patient/nobody' }).expect(200);
    const real = await service.tokenFor({ scope: 'system/Observation.rs' });
    await service.anonymous.get('/fhir/Observation').query({ subject: 'Patient/nobody' }).set('Authorization', `Bearer ${real}`).expect(200);
  });

  it('refuses at least 40 forged or invalid tokens with 401, WWW-Authenticate and an OperationOutcome', async () => {
    expect(forged.length).toBeGreaterThanOrEqual(40);
    const accepted: string[] = [];
    for (const token of forged) {
      const call = service.anonymous.get('/fhir/Observation').query({ subject: 'Patient/nobody' });
      const response = await (token.header === undefined ? call : call.set('Authorization', token.header));
      const outcome = response.body as fhir4.OperationOutcome;
      const ok = response.status === 401 && /^Bearer .*error="invalid_token"/.test(String(response.headers['www-authenticate'])) && outcome.resourceType === 'OperationOutcome' && outcome.issue[0].code === 'login' && outcome.issue[0].details?.text === 'AUTH.TOKEN_INVALID';
      if (!ok) accepted.push(`${token.name}: ${response.status}`);
    }
    expect(accepted).toEqual([]);
  });

  it('refuses the same tokens on GraphQL over HTTP', async () => {
    for (const token of forged) {
      const call = service.anonymous.post('/graphql').send({ query: '{ patients(first: 1) { edges { cursor } } }' });
      const response = await (token.header === undefined ? call : call.set('Authorization', token.header));
      expect([token.name, response.status]).toEqual([token.name, 401]);
    }
  });

  it('refuses a real token the issuer made for another audience', async () => {
    const other = await service.tokenFor({ audience: 'http://127.0.0.1:1/fhir' });
    const response = await service.anonymous.get('/fhir/Observation').query({ subject: 'Patient/x' }).set('Authorization', `Bearer ${other}`).expect(401);
    expect(response.body.issue[0].details.text).toBe('AUTH.TOKEN_INVALID');
  });

  it('closes a graphql-ws connection whose connection_init carries no valid token', async () => {
    const server = service.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
    for (const params of [undefined, { Authorization: forged[12].header }, { Authorization: 'Bearer nope' }]) {
      const client = createClient({ url, webSocketImpl: WebSocket, lazy: true, retryAttempts: 0, connectionParams: params });
      const closed = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: 'subscription { alertRaised { patientId } }' }, { next: () => resolve('data'), error: (error) => resolve(error), complete: () => resolve('complete') });
      });
      expect((closed as { code?: number }).code).toBe(4403);
      await client.dispose();
    }
  });

  it('requires a token on every registered route except the public list', async () => {
    const routes = registeredRoutes(service);
    expect(routes.length).toBeGreaterThanOrEqual(25);
    const open: string[] = [];
    for (const route of routes) {
      const url = concrete(route.path);
      const response = await service.anonymous[route.method.toLowerCase() as 'get'](url).catch((error: Error) => { throw new Error(`${route.method} ${url}: ${error.message}`); });
      const isPublic = isPublicRoute(route.method, url);
      if (isPublic === (response.status === 401)) open.push(`${route.method} ${route.path}: ${response.status} (public: ${isPublic})`);
    }
    expect(open).toEqual([]);
    // The public list is exactly what the issue allows, plus the front door and the API description
    // (the OpenAPI document and its console, whose file names are swagger-ui's).
    const publicRoutes = routes.filter((route) => isPublicRoute(route.method, concrete(route.path))).map((route) => `${route.method} ${route.path}`);
    expect(publicRoutes.filter((route) => route.startsWith('GET /api/docs')).length).toBeGreaterThanOrEqual(3);
    expect(publicRoutes.filter((route) => !route.startsWith('GET /api/docs')).sort()).toEqual(
      [
        'GET /',
        'GET /dashboard',
        'GET /dashboard/:file',
        'GET /dashboard/vendor/:file',
        'GET /fhir/.well-known/smart-configuration',
        'GET /fhir/metadata',
        'GET /health',
        // Probes and the Prometheus scrape carry no token (docs/operations.md, "Health" and "Metrics").
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
      ].sort(),
    );
  });

  it('refuses every non-public route to a token whose scopes grant nothing there (deny by default)', async () => {
    const probe = await service.as({ scope: 'system/Device.r', fhirUser: null });
    const granted: string[] = [];
    for (const route of registeredRoutes(service)) {
      const url = concrete(route.path);
      if (isPublicRoute(route.method, url)) continue;
      const response = await probe[route.method.toLowerCase() as 'get'](url).catch((error: Error) => { throw new Error(`${route.method} ${url}: ${error.message}`); });
      // The fallback answers 404/405 to any valid token (it serves nothing); every other route refuses the probe.
      const expected = route.fallback ? response.status >= 400 && response.status < 500 : ANY_TOKEN_ROUTES.includes(`${route.method} ${url}`) ? response.status !== 403 : response.status === 403;
      if (!expected) granted.push(`${route.method} ${route.path}: ${response.status}`);
    }
    expect(granted).toEqual([]);
  });

  it('refuses every GraphQL root field to a token without a granting scope', async () => {
    const schema = service.app.get(GraphQLSchemaHost).schema;
    const probe = await service.as({ scope: 'system/Device.r', fhirUser: null });
    const fields = [...Object.values(schema.getQueryType()?.getFields() ?? {}), ...Object.values(schema.getMutationType()?.getFields() ?? {})];
    expect(fields.length).toBeGreaterThanOrEqual(6);
    const mutations = new Set(Object.keys(schema.getMutationType()?.getFields() ?? {}));
    for (const field of fields) {
      const args = field.args.filter((arg) => String(arg.type).endsWith('!')).map((arg) => `${arg.name}: ${String(arg.type).startsWith('ReviewAssessmentInput') ? '{ observationId: "x", action: CONFIRM }' : String(arg.type).startsWith('Int') ? '1' : '"x"'}`);
      const selection = /^(Int|String|Boolean|ID)/.test(String(field.type).replace(/[[\]!]/g, '')) ? '' : ' { __typename }';
      const query = `${mutations.has(field.name) ? 'mutation' : 'query'} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection} }`;
      const response = await probe.post('/graphql').send({ query });
      expect([field.name, response.body.errors?.[0]?.extensions?.code]).toEqual([field.name, 'AUTH.SCOPE_INSUFFICIENT']);
    }
    for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) expect(field.name).toMatch(/^(assessmentCompleted|alertRaised|occlusionProgress)$/);
  });
});
