import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createTestDatabase } from '@brixia/persistence/testing';
import { assertPortFree } from '../apps/api/src/infrastructure/port-check';
import { ARTIFACTS, freePort, launchChromium, signInThroughProvider } from './support/browser';
import { seedResults } from './support/monitoring-seed';
import { startService, type TestService } from './support/service';

describe('front door, API docs and GraphQL explorer', () => {
  let service: TestService;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = await startService({ DATABASE_URL: await createTestDatabase('front_door_e2e'), BRIXIA_PUBLIC_BASE_URL: base });
    // Two monitored patients, so the explorer's query has data to show.
    const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
    await seedResults(stores, { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity, patients: 2, studiesPerPatient: 2, patientPrefix: 'door', score: (p, s) => 4 + p + s });
    await service.runtime.monitoring.service.refreshStale();
    const server = service.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('GET / says what the service is, its intended use, and links every entry point', async () => {
    const response = await service.http.get('/').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await expect(page.locator('#intended-use').textContent()).resolves.toMatch(/research only — not for diagnosis/);
    await expect(page.locator('#model-version').textContent()).resolves.toBe(service.runtime.scoring.model.identity.version);
    const links = await page.locator('#entry-points a').evaluateAll((anchors) => anchors.map((a) => (a as unknown as { href: string }).href));
    expect(links).toEqual([`${base}/dashboard/`, `${base}/api/docs`, `${base}/graphql`, `${base}/fhir/metadata`, `${base}/health`]);
    await page.screenshot({ path: join(ARTIFACTS, 'front-door.png'), fullPage: true });
    await page.close();
  });

  it('serves an OpenAPI 3 document of /api/v1 generated from the controllers', async () => {
    const { body } = await service.http.get('/api/docs-json').expect(200);
    expect(body.openapi).toMatch(/^3\./);
    const paths = Object.keys(body.paths as Record<string, unknown>).sort();
    expect(paths).toEqual(['/api/v1/images/{id}/radiograph.png', '/api/v1/patients/{id}/timeline', '/api/v1/results/{observationId}/delivery', '/api/v1/studies']);
    const upload = body.paths['/api/v1/studies'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(['multipart/form-data']);
    expect(upload.requestBody.content['multipart/form-data'].schema.required).toEqual(['file']);
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(['201', '202', '400', '409', '413', '422']));
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('renders the interactive API docs in a browser from local assets (no CDN)', async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(base)) foreign.push(request.url());
    });
    await page.goto(`${base}/api/docs`);
    await page.locator('.opblock-summary-path').first().waitFor();
    const operations = await page.locator('.opblock-summary-path').allTextContents();
    expect(operations.map((text) => text.replace(/\u200b/g, ''))).toEqual(expect.arrayContaining(['/api/v1/studies', '/api/v1/patients/{id}/timeline']));
    expect(foreign).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'api-docs.png'), fullPage: false });
    await page.close();
  });

  it('opens GraphiQL at /graphql behind sign-in and runs a query with the signed-in user\'s token', async () => {
    const html = await service.anonymous.get('/graphql').set('Accept', 'text/html').expect(200);
    expect(html.text).toContain('graphql-explorer/graphiql.js');
    expect(html.text).toContain('/dashboard/graphql-explorer.js');
    // A JSON client still reaches the GraphQL server, which wants a token like every API route.
    const api = await service.anonymous.get('/graphql').set('Accept', 'application/json');
    expect(api.status).toBe(401);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(60_000);
    const issuer = service.issuer?.url ?? '';
    const foreign: string[] = [];
    const graphqlAuthorization: string[] = [];
    page.on('request', (request) => {
      // The explorer's own files come from this service; the provider's login page is not ours to judge
      // (oidc-provider's development interaction asks Google for a font).
      const fromLoginPage = request.frame().url().startsWith(issuer);
      if (!request.url().startsWith(base) && !request.url().startsWith(issuer) && !fromLoginPage) foreign.push(request.url());
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') graphqlAuthorization.push(request.headers()['authorization'] ?? '');
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text().slice(0, 300)));
    // The page goes straight to the provider's login page, and back with a code.
    await signInThroughProvider(page, `${base}/graphql`).catch((error: unknown) => {
      throw new Error(`${String(error)}\npage errors:\n${pageErrors.join('\n')}`);
    });
    await page.locator('.graphiql-container').waitFor();
    // GraphiQL's default query lists the monitored patients: run it, nothing typed into its Headers editor.
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window', { hasText: 'door-0' }).waitFor();
    const result = (await page.locator('.result-window').textContent()) ?? '';
    expect(result).toContain('"patients"');
    expect(result).toContain('latestScore');
    expect(result).not.toContain('"errors"');
    expect(graphqlAuthorization.length).toBeGreaterThan(0);
    for (const header of graphqlAuthorization) expect(header).toMatch(/^Bearer ey/);
    await page.screenshot({ path: join(ARTIFACTS, 'graphql-explorer.png') });
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('reports a busy port before the model would be loaded', async () => {
    const blocker: Server = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(assertPortFree(port, '127.0.0.1')).rejects.toThrow(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
    await expect(assertPortFree(port, '127.0.0.1')).resolves.toBeUndefined();
  });
});
