import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Launch flags for Debian's Chromium as root in a closed network: no sandbox, no GPU, and no background
 * networking (its connections would be refused, many at a time).
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Where browser tests keep their screenshots (git-ignored). */
export const ARTIFACTS = join(__dirname, '../../test-artifacts');

/** Headless Chromium (CHROMIUM_PATH overrides /usr/bin/chromium); the artifacts folder is made first. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A free local port, so a service's public base URL (image links) is known before it listens. */
export async function freePort(): Promise<number> {
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
export async function signInThroughProvider(page: Page, dashboardUrl: string): Promise<void> {
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
