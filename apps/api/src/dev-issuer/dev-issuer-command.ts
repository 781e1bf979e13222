import { resolve } from 'node:path';
import { DEMO_SYSTEM_CLIENT_ID, startDevIssuer } from './dev-issuer';
import { loadOrCreateDevIssuerKeys, writeDevIssuerState } from './dev-issuer-keys';

/**
 * The development provider as a process of its own (the e2e tests' issuer: oidc-provider runs outside
 * Jest's module realm). Env: BRIXIA_DEV_ISSUER_DIR (keys + state), BRIXIA_DEV_ISSUER_PORT (0 = free),
 * BRIXIA_DEV_ISSUER_AUDIENCES (comma list, or `any-loopback`), BRIXIA_DEV_ISSUER_REDIRECTS (comma list),
 * BRIXIA_DEV_ISSUER_TTL_S. Prints one JSON line with the issuer URL when ready; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const env = process.env;
  const dir = resolve(env['BRIXIA_DEV_ISSUER_DIR'] ?? 'data/dev-issuer');
  const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  const audiences = env['BRIXIA_DEV_ISSUER_AUDIENCES'] === 'any-loopback' ? 'any-loopback' : list(env['BRIXIA_DEV_ISSUER_AUDIENCES']);
  const issuer = await startDevIssuer({
    port: Number(env['BRIXIA_DEV_ISSUER_PORT'] ?? 0),
    keys: await loadOrCreateDevIssuerKeys(dir),
    audiences,
    dashboardRedirectUris: list(env['BRIXIA_DEV_ISSUER_REDIRECTS']),
    accessTokenTtlSeconds: env['BRIXIA_DEV_ISSUER_TTL_S'] ? Number(env['BRIXIA_DEV_ISSUER_TTL_S']) : undefined,
  });
  await writeDevIssuerState(dir, { issuer: issuer.url, audience: audiences === 'any-loopback' ? '' : (audiences[0] ?? ''), systemClientId: DEMO_SYSTEM_CLIENT_ID });
  process.stdout.write(`${JSON.stringify({ msg: 'development OpenID provider ready', issuer: issuer.url })}\n`);
  const stop = (): void => void issuer.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'development OpenID provider failed', err: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(1);
});
