import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { preprocessForBsnet, type GreyImage } from '@brixia/imaging';
import { displayedCorrelation, rasterFixturePixels, resizeGreyImage } from '@brixia/imaging/testing';
import { measureZoneOverlay } from '@brixia/monitoring/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { ARTIFACTS, freePort, launchChromium, signInThroughProvider } from './support/browser';
import { startService, uploadRadiograph, type TestService, explanationImagesRendered } from './support/service';
import { seedResults } from './support/monitoring-seed';

/** The uploaded radiograph (uploadRadiograph's lossless PNG of these pixels). */
const UPLOAD = { width: 600, height: 500, seed: 5 };

/**
 * The pixels the page shows for an <img>: drawn at its natural size onto a canvas in the page and read
 * back (RGB, base64), with its natural and laid-out sizes.
 */
async function displayedPixels(page: Page, testId: string): Promise<{ width: number; height: number; shownWidth: number; shownHeight: number; rgb: Uint8Array }> {
  const read = await page.locator(`[data-testid=${testId}]`).evaluate((element) => {
    const img = element as unknown as { naturalWidth: number; naturalHeight: number; clientWidth: number; clientHeight: number };
    const doc = (globalThis as unknown as { document: { createElement(tag: string): { width: number; height: number; getContext(kind: string): { drawImage(i: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document;
    const canvas = doc.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.drawImage(img, 0, 0);
    const rgba = context.getImageData(0, 0, img.naturalWidth, img.naturalHeight).data;
    let binary = '';
    for (let p = 0; p < rgba.length; p += 4) binary += String.fromCharCode(rgba[p], rgba[p + 1], rgba[p + 2]);
    return { width: img.naturalWidth, height: img.naturalHeight, shownWidth: img.clientWidth, shownHeight: img.clientHeight, rgb: btoa(binary) };
  });
  return { ...read, rgb: new Uint8Array(Buffer.from(read.rgb, 'base64')) };
}

describe('reference dashboard in headless Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let page: Page;
  /** Listeners of the service itself, before any page subscribed. */
  let serviceListeners = 0;
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
    const upload = await uploadRadiograph(service, { patient: 'dash-cxr', acquired: '2024-03-05T10:00:00Z', ...UPLOAD });
    uploadedObservationId = (upload.body as fhir4.Observation).id ?? '';
    await explanationImagesRendered(service, uploadedObservationId);
    const server = service.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Playwright's 30 s default per wait, doubled: pages render in well under a second idle.
    page.setDefaultTimeout(60_000);
    serviceListeners = service.runtime.monitoring.service.events.listenerCount;
    await signInThroughProvider(page, `${base}/dashboard/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('lists patients by latest score and updates live when a result arrives', async () => {
    const events = service.runtime.monitoring.service.events;
    // The sign-in left the dashboard open: close it and wait until its subscriptions are gone.
    await page.goto('about:blank');
    const deadlineClosed = Date.now() + 60_000;
    while (events.listenerCount > serviceListeners) {
      if (Date.now() > deadlineClosed) throw new Error('the signed-in page kept its subscriptions for 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const listenersBefore = events.listenerCount; // no page open: the service's own listeners
    await page.goto(`${base}/dashboard/`);
    await page.locator('[data-testid=live-status].on').waitFor();
    // The page's two subscriptions (completed assessments, alerts) register after the socket opens.
    const deadline = Date.now() + 60_000;
    while (events.listenerCount < listenersBefore + 2) {
      if (Date.now() > deadline) throw new Error('the dashboard did not subscribe within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
    await page.locator('[data-patient=live-0]').waitFor({ timeout: 60_000 });
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

  it('shows a study with its radiograph and overlay as they are, and confirms it', async () => {
    await page.goto(`${base}/dashboard/#/assessments/${uploadedObservationId}`);
    const radiograph = page.locator('[data-testid=radiograph]');
    await radiograph.waitFor();
    // A function, not a string: the page's CSP (script-src 'self') refuses string evaluation.
    await page.waitForFunction(() => {
      const images = (globalThis as unknown as { document: { images: ArrayLike<{ complete: boolean; naturalWidth: number }> } }).document.images;
      return Array.from(images).every((img) => img.complete && img.naturalWidth > 0);
    });
    const source: GreyImage = { width: UPLOAD.width, height: UPLOAD.height, pixels: rasterFixturePixels(UPLOAD) };
    // The radiograph as the browser shows it: the source's content and shape, not stretched by the layout.
    const shown = await displayedPixels(page, 'radiograph');
    expect([shown.width, shown.height]).toEqual([512, 427]);
    expect(shown.shownWidth / shown.shownHeight).toBeCloseTo(UPLOAD.width / UPLOAD.height, 1);
    const grey = { width: shown.width, height: shown.height, pixels: Uint8Array.from({ length: shown.width * shown.height }, (_, p) => shown.rgb[p * 3]) };
    expect(await displayedCorrelation(grey, source)).toBeGreaterThanOrEqual(0.99);
    // Zone A's overlay: heat inside zone A's box mapped through the alignment, the radiograph elsewhere.
    const allZones = await page.locator('[data-testid=overlay]').getAttribute('src');
    await page.click('[data-testid=overlay-A]');
    await page.waitForFunction(
      (previous) => {
        const img = (globalThis as unknown as { document: { querySelector(s: string): { src: string; complete: boolean; naturalWidth: number } } }).document.querySelector('[data-testid=overlay]');
        return img.src !== previous && img.complete && img.naturalWidth > 0;
      },
      new URL(allZones ?? '', base).href,
    );
    const overlay = await displayedPixels(page, 'overlay');
    expect([overlay.width, overlay.height]).toEqual([512, 427]);
    const model = service.runtime.model;
    if (!model) throw new Error('role all loads the model');
    const { alignment } = await model.score(preprocessForBsnet(source), { withExplanations: true });
    const zoneA = measureZoneOverlay(overlay, 'A', alignment ?? [], await resizeGreyImage(source, 512, 427));
    expect(zoneA.mass).toBeGreaterThan(0);
    expect(zoneA.inside).toBeGreaterThanOrEqual(0.99);
    expect(zoneA.correlation).toBeGreaterThanOrEqual(0.99);
    await page.locator('.images').screenshot({ path: join(ARTIFACTS, 'dashboard-study-images.png') });
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
    expect(await page.evaluate(() => { const g = globalThis as unknown as { localStorage: { length: number }; sessionStorage: { length: number } }; return g.localStorage.length + g.sessionStorage.length; })).toBe(0);
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
