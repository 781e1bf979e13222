import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, uploadRadiograph, type TestService } from './support/service';
import { seedResults } from './support/monitoring-seed';

/** Launch flags that work in CI containers (shared install-notes.md). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = join(__dirname, '../test-artifacts');

/** A free local port, so the service's public base URL (image links) is known before it listens. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Authorization code + PKCE through the OpenID provider's real login and consent pages
 * (oidc-provider's development interactions), as the seeded demo clinician.
 */
async function signInThroughProvider(page: Page, dashboardUrl: string): Promise<void> {
  await page.goto(dashboardUrl);
  await page.locator('input[name=login]').waitFor();
  await page.fill('input[name=login]', 'clinician');
  await page.fill('input[name=password]', 'any');
  await page.click('button[type=submit]');
  // The consent page appears once per grant.
  await page.waitForURL((url) => url.href.startsWith(dashboardUrl) || url.pathname.includes('/interaction/'));
  if (!page.url().startsWith(dashboardUrl)) {
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.href.startsWith(dashboardUrl));
  }
  await page.locator('[data-testid=signed-in-user]', { hasText: 'Demo Clinician' }).waitFor();
}

describe('reference dashboard in headless Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let page: Page;
  let base: string;
  let uploadedObservationId: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = await startService({ DATABASE_URL: await createTestDatabase('dashboard_e2e'), BRIXIA_PUBLIC_BASE_URL: base });
    const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
    const common = { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity, withObservations: true };
    await seedResults(stores, { ...common, patients: 4, studiesPerPatient: 4, patientPrefix: 'dash', score: (p, s) => [[2, 4, 7, 10], [12, 11, 9, 8], [3, 3, 4, 3], [6, 6, 7, 6]][p][s] });
    await service.runtime.monitoring.service.refreshStale();
    await service.runtime.monitoring.service.review({ observationId: 'obs-dash-0-2', action: 'confirm', practitionerId: 'dr-rossi' });
    const upload = await uploadRadiograph(service, { patient: 'dash-cxr', acquired: '2024-03-05T10:00:00Z', seed: 5 });
    uploadedObservationId = (upload.body as fhir4.Observation).id ?? '';
    const server = service.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(ARTIFACTS, { recursive: true });
    await signInThroughProvider(page, `${base}/dashboard/`);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('lists patients by latest score and updates live when a result arrives', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.locator('[data-testid=live-status].on').waitFor();
    const rows = page.locator('[data-testid=patient-row]');
    await rows.first().waitFor();
    const ids = await rows.evaluateAll((elements) => elements.map((element) => element.getAttribute('data-patient')));
    // seeded latest scores: dash-0 10, dash-1 8, dash-3 6, dash-2 3 (dash-cxr: whatever the model says)
    expect(['dash-0', 'dash-1', 'dash-3', 'dash-2'].map((id) => ids.indexOf(id))).toEqual([...['dash-0', 'dash-1', 'dash-3', 'dash-2'].map((id) => ids.indexOf(id))].sort((a, b) => a - b));
    const scores = (await page.locator('[data-testid=patient-row] [data-testid=score]').allTextContents()).map(Number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await expect(page.locator('[data-patient=dash-0] td').nth(2).textContent()).resolves.toContain('worsening');

    const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
    await seedResults(stores, { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity, patients: 1, studiesPerPatient: 1, patientPrefix: 'live', score: () => 15 });
    await service.runtime.monitoring.service.resultRecorded('obs-live-0-0', null);
    await page.locator('[data-patient=live-0]').waitFor({ timeout: 10_000 });
    expect(await rows.first().getAttribute('data-patient')).toBe('live-0');
    await expect(page.locator('[data-testid=alert-item]').first().textContent()).resolves.toContain('live-0');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-list.png'), fullPage: true });
  });

  it('shows the timeline chart with AI and clinician points and the zone grid', async () => {
    await page.click('a[href="#/patients/dash-0"]');
    await page.locator('[data-testid=timeline-chart]').waitFor();
    expect(await page.locator('[data-testid=point-ai]').count()).toBe(3);
    expect(await page.locator('[data-testid=point-clinician]').count()).toBe(1);
    expect(await page.locator('[data-testid=zone-grid] tbody tr').count()).toBe(6);
    expect(await page.locator('[data-testid=zone-A]').count()).toBe(4);
    await expect(page.locator('[data-testid=patient-trend]').textContent()).resolves.toContain('worsening');
    await expect(page.locator('[data-testid=patient-alerts]').textContent()).resolves.toContain('rose');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-patient.png'), fullPage: true });
  });

  it('shows a study with its radiograph and overlay, and confirms it', async () => {
    await page.goto(`${base}/dashboard/#/assessments/${uploadedObservationId}`);
    const radiograph = page.locator('[data-testid=radiograph]');
    await radiograph.waitFor();
    await page.waitForFunction('[...document.images].every((img) => img.complete && img.naturalWidth > 0)');
    expect(await page.locator('[data-testid=overlay]').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(512);
    await page.click('[data-testid=overlay-A]');
    await expect(page.locator('[data-testid=reviewer]').textContent()).resolves.toBe('Demo Clinician');
    await page.click('[data-testid=confirm]');
    await page.locator('[data-testid=review-message]', { hasText: 'final, version 2' }).waitFor();
    const reviews = await service.runtime.monitoring.store.findReviews(uploadedObservationId);
    expect(reviews.map((review) => review.practitionerId)).toContain('demo-clinician');
    await page.locator('[data-testid=study-status]', { hasText: 'final' }).waitFor();
    // someone else reviews behind this page's back: the page's override carries a stale version
    await service.runtime.monitoring.service.review({ observationId: uploadedObservationId, action: 'confirm', expectedVersion: 2, practitionerId: 'dr-other' });
    await page.fill('[data-testid=input-A]', '3');
    await page.click('[data-testid=override]');
    await page.locator('[data-testid=review-message]', { hasText: 'RESOURCE.VERSION_CONFLICT' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-study.png'), fullPage: true });
  });

  it('signs out (in-memory token gone, issuer session ended) and signs in again', async () => {
    expect(await page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })')).toBe('{}');
    await page.click('[data-testid=sign-out]');
    // RP-initiated logout: the provider asks to confirm, then returns to the dashboard's sign-in page.
    await page.locator('button[type=submit], [data-testid=sign-in]').first().waitFor();
    if (!(await page.locator('[data-testid=sign-in]').count())) await page.click('button[type=submit]');
    await page.locator('[data-testid=sign-in]').waitFor();
    const refused = await page.evaluate(async () => (await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ patients(first: 1) { edges { cursor } } }"}' })).status);
    expect(refused).toBe(401);
    await page.click('[data-testid=sign-in]');
    await page.locator('input[name=login]').waitFor();
  });
});
