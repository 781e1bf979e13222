import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase } from '@brixia/persistence/testing';
import { ARTIFACTS, freePort, launchChromium, signInThroughProvider } from './support/browser';
import { startService, uploadRadiograph, type TestService } from './support/service';
import { seedResults } from './support/monitoring-seed';

/** Pearson correlation of two equally long pixel vectors. */
function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const mean = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / n;
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    num += (a[i] - ma) * (b[i] - mb);
    da += (a[i] - ma) ** 2;
    db += (b[i] - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

/** The red channel of the viewer canvas and of the radiograph <img> drawn at the canvas size, in the page. */
interface PagePixels {
  readonly viewer: number[];
  readonly source: number[];
  readonly zoom: string;
}

/**
 * The red channel of every 7th pixel of the viewer canvas and of the radiograph <img> drawn at the canvas
 * size. A function, not a string (the page's CSP refuses string evaluation); typed loosely because this
 * file is compiled without the DOM library.
 */
async function viewerAndSourcePixels(page: Page): Promise<PagePixels> {
  return page.evaluate(() => {
    type Canvas = { width: number; height: number; dataset: Record<string, string | undefined>; getContext(kind: '2d'): Context };
    type Context = { drawImage(image: unknown, x: number, y: number, w: number, h: number): void; getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
    const doc = (globalThis as unknown as { document: { querySelector(selector: string): unknown; createElement(tag: 'canvas'): Canvas } }).document;
    const canvas = doc.querySelector('[data-testid=viewer-canvas]') as Canvas;
    const img = doc.querySelector('[data-testid=radiograph]');
    const copy = doc.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext('2d');
    context.drawImage(img, 0, 0, canvas.width, canvas.height);
    const red = (data: ArrayLike<number>): number[] => Array.from({ length: Math.floor(data.length / 28) }, (_, i) => data[i * 28]);
    const viewer = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    return { viewer: red(viewer), source: red(context.getImageData(0, 0, canvas.width, canvas.height).data), zoom: canvas.dataset['zoom'] ?? '' };
  });
}

describe('dashboard: image viewer, dated timeline, patient search (headless Chromium)', () => {
  let service: TestService;
  let browser: Browser;
  let page: Page;
  let base: string;
  let uploadedObservationId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = await startService({ DATABASE_URL: await createTestDatabase('dashboard_viewer_e2e'), BRIXIA_PUBLIC_BASE_URL: base });
    const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
    const common = { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity, withObservations: true };
    await seedResults(stores, { ...common, patients: 3, studiesPerPatient: 4, patientPrefix: 'ward', score: (p, s) => [[2, 5, 9, 12], [10, 9, 7, 6], [3, 3, 4, 3]][p][s] });
    await seedResults(stores, { ...common, patients: 2, studiesPerPatient: 1, patientPrefix: 'icu', score: () => 14 });
    await service.runtime.monitoring.service.refreshStale();
    await service.runtime.monitoring.service.review({ observationId: 'obs-ward-0-3', action: 'override', zones: { A: 3, B: 3, C: 3, D: 3, E: 3, F: 0 }, practitionerId: 'dr-rossi' });
    const upload = await uploadRadiograph(service, { patient: 'ward-cxr', acquired: '2024-03-05T10:00:00Z', seed: 5, width: 600, height: 500 });
    uploadedObservationId = (upload.body as fhir4.Observation).id ?? '';
    const server = service.app.getHttpServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.setDefaultTimeout(60_000);
    await signInThroughProvider(page, `${base}/dashboard/`);
  }, 180_000);

  afterEach(() => {
    // Errors the page raised during this test (the list is emptied for the next one).
    expect(pageErrors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  it('searches patients by id prefix and filters by score', async () => {
    await page.goto(`${base}/dashboard/`);
    await page.locator('[data-testid=patient-row]').first().waitFor();
    await page.fill('[data-testid=patient-search]', 'icu');
    await page.press('[data-testid=patient-search]', 'Enter');
    await page.locator('[data-testid=list-count]', { hasText: '2 shown' }).waitFor();
    const ids = await page.locator('[data-testid=patient-row]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-patient')));
    expect(ids).toEqual(['icu-0', 'icu-1']);
    await page.fill('[data-testid=patient-search]', '');
    await page.press('[data-testid=patient-search]', 'Enter');
    await page.locator('[data-testid=list-count]', { hasText: /[5-9] shown/ }).waitFor();
    await page.selectOption('[data-testid=score-filter]', '12');
    await page.locator('[data-testid=list-count]', { hasText: '3 shown' }).waitFor();
    const scores = (await page.locator('[data-testid=patient-row] [data-testid=score]').allTextContents()).map(Number);
    expect(scores.every((score) => score >= 12)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-search.png'), fullPage: true });
  });

  it('draws the timeline on a dated axis with AI and clinician series, a zone strip, full dates and overridden zones marked', async () => {
    await page.goto(`${base}/dashboard/#/patients/ward-0`);
    await page.locator('[data-testid=timeline-chart]').waitFor();
    const ticks = await page.locator('[data-testid=time-tick]').allTextContents();
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.join(' ')).toMatch(/Mar|0[1-4]/);
    expect(await page.locator('[data-testid=series-ai]').count()).toBe(1);
    expect(await page.locator('[data-testid=point-clinician]').count()).toBe(1);
    expect(await page.locator('[data-testid=point-ai-overridden]').count()).toBe(1);
    expect(await page.locator('[data-testid=strip-cell]').count()).toBe(4 * 6);
    await expect(page.locator('[data-testid=chart-legend]').textContent()).resolves.toContain('score 8: the in-hospital-mortality cut-off');
    const dates = await page.locator('[data-testid=grid-date]').allTextContents();
    expect(dates).toEqual(['2024-03-01 00:00', '2024-03-02 00:00', '2024-03-03 00:00', '2024-03-04 00:00'].map((d) => expect.stringMatching(new RegExp(`^${d.slice(0, 10)}`))));
    expect(await page.locator('[data-testid=zone-grid] td[data-overridden]').count()).toBeGreaterThan(0);
    await page.hover('[data-testid=point-clinician]');
    await expect(page.locator('[data-testid=hover-details]').textContent()).resolves.toMatch(/^2024-03-04 \d\d:\d\d UTC · 15\/18 \(clinician override, AI 12\) · zones A3/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-timeline.png'), fullPage: true });
  });

  it('shows the study in a viewer on the source pixels, with zoom, window/level, labels and probabilities', async () => {
    await page.goto(`${base}/dashboard/#/assessments/${uploadedObservationId}`);
    await page.locator('[data-testid=viewer-canvas]').waitFor();
    await page.waitForFunction(() => {
      const images = (globalThis as unknown as { document: { images: ArrayLike<{ complete: boolean; naturalWidth: number }> } }).document.images;
      return Array.from(images).every((img) => img.complete && img.naturalWidth > 0);
    });
    await page.locator('[data-testid=overlay-opacity]').fill('0');
    await page.waitForFunction(
      () => (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string | undefined> } | null } }).document.querySelector('[data-testid=viewer-canvas]')?.dataset['zoom'] === '1',
    );
    const initial = await viewerAndSourcePixels(page);
    expect(correlation(initial.viewer, initial.source)).toBeGreaterThan(0.99);
    await expect(page.locator('[data-testid=ai-label]').textContent()).resolves.toBe('AI result — preliminary (not reviewed)');
    await expect(page.locator('[data-testid=study-facts]').textContent()).resolves.toBe(`Acquired 2024-03-05 10:00 UTC · model bsnet ${service.runtime.scoring.model.identity.version}`);
    const probabilities = await page.locator('[data-testid=zone-probabilities-A]').textContent();
    expect(probabilities).toMatch(/^0: \d+ % · 1: \d+ % · 2: \d+ % · 3: \d+ %$/);
    await expect(page.locator('h1').textContent()).resolves.toMatch(/^Brixia score \d+ \/ 18$/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-viewer.png'), fullPage: true });

    await page.click('[data-testid=zoom-in]');
    const zoomed = await viewerAndSourcePixels(page);
    expect(zoomed.zoom).toBe('1.5');
    expect(correlation(zoomed.viewer, initial.viewer)).toBeLessThan(0.95);
    await page.locator('[data-testid=window]').fill('64');
    const windowed = await viewerAndSourcePixels(page);
    const contrast = (v: readonly number[]): number => v.reduce((m, x) => Math.max(m, x), 0) - v.reduce((m, x) => Math.min(m, x), 255);
    expect(windowed.viewer.filter((v) => v === 0 || v === 255).length).toBeGreaterThan(zoomed.viewer.filter((v) => v === 0 || v === 255).length);
    expect(contrast(windowed.viewer)).toBeGreaterThanOrEqual(contrast(zoomed.viewer));
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-viewer-zoomed.png'), fullPage: true });
    await page.click('[data-testid=view-reset]');
    await page.locator('[data-testid=overlay-opacity]').fill('0');
    const reset = await viewerAndSourcePixels(page);
    expect(correlation(reset.viewer, initial.viewer)).toBeGreaterThan(0.999);
  });

  it('reports occlusion progress over graphql-ws and disables the control once the maps exist', async () => {
    const { body } = await service.http.post('/graphql').send({ query: `{ assessment(observationId: "${uploadedObservationId}") { taskId } }` }).expect(200);
    const taskId = (body as { data: { assessment: { taskId: string } } }).data.assessment.taskId;
    const client = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, lazy: false, connectionParams: { Authorization: `Bearer ${service.token}` } });
    const progress: Array<{ done: number; total: number }> = [];
    try {
      const subscribed = new Promise<void>((resolve, reject) => {
        client.on('connected', () => resolve());
        client.subscribe(
          { query: 'subscription($taskId: ID!) { occlusionProgress(taskId: $taskId) { done total } }', variables: { taskId } },
          { next: (value) => progress.push((value.data as { occlusionProgress: { done: number; total: number } }).occlusionProgress), error: reject, complete: () => undefined },
        );
      });
      const events = service.runtime.monitoring.service.events;
      const listenersBefore = events.listenerCount;
      await subscribed;
      // The subscription is live once the server holds its listener; only then start the work.
      while (events.listenerCount <= listenersBefore) await new Promise((resolve) => setTimeout(resolve, 20));
      const made = await service.http.post('/graphql').send({ query: `mutation { explainByOcclusion(taskId: "${taskId}", segments: 12) { segments forwardPasses } }` }).expect(200);
      const segments = (made.body as { data: { explainByOcclusion: { segments: number } } }).data.explainByOcclusion.segments;
      const deadline = Date.now() + 60_000;
      while (progress.at(-1)?.done !== segments && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.every((p) => p.total === segments)).toBe(true);
      expect(progress.map((p) => p.done)).toEqual([...progress.map((p) => p.done)].sort((a, b) => a - b));
      expect(progress.at(-1)).toEqual({ done: segments, total: segments });
    } finally {
      await client.dispose();
    }
    // The page already shows this study: load it anew so the view reads the new maps.
    await page.goto(`${base}/dashboard/#/assessments/${uploadedObservationId}`);
    await page.reload();
    await page.locator('[data-testid=occlusion]', { hasText: 'Occlusion maps computed' }).waitFor();
    expect(await page.locator('[data-testid=occlusion]').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=overlay-occlusion-all]').count()).toBe(1);
  });
});
