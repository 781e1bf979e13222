import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

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
