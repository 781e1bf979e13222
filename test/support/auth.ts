import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readDevIssuerState, type DevIssuerKeys } from '../../apps/api/src/dev-issuer/dev-issuer-keys';
import { requestSystemToken } from '../../apps/api/src/dev-issuer/system-token';

/** What the default test token may do: everything, as the clinician the existing tests review as. */
export const DEFAULT_TEST_SCOPE = 'system/*.cruds user/*.cruds';
export const DEFAULT_TEST_USER = 'Practitioner/dr-rossi';

export interface TokenOptions {
  readonly scope?: string;
  readonly patient?: string;
  /** e.g. Practitioner/dr-bianchi; `null` for a token without a user. */
  readonly fhirUser?: string | null;
  /** Defaults to the service's audience. */
  readonly audience?: string;
}

/** A real OpenID provider (oidc-provider with the development provider's configuration) on loopback. */
export interface TestIssuer {
  readonly url: string;
  readonly tokenEndpoint: string;
  readonly keys: DevIssuerKeys;
  /** A token of the demo system client (client_credentials + private_key_jwt, SMART Backend Services). */
  token(audience: string, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

const REPO_ROOT = resolve(__dirname, '../..');

async function tokenEndpointOf(issuer: string): Promise<string> {
  return ((await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string }).token_endpoint;
}

function tokenRequest(tokenEndpoint: string, clientId: string, keys: DevIssuerKeys, audience: string, options: TokenOptions): Promise<string> {
  return requestSystemToken({
    tokenEndpoint,
    clientId,
    key: keys.systemClient,
    scope: options.scope ?? DEFAULT_TEST_SCOPE,
    audience: options.audience ?? audience,
    patient: options.patient,
    fhirUser: options.fhirUser === null ? undefined : (options.fhirUser ?? DEFAULT_TEST_USER),
  });
}

/**
 * Starts the development provider as a child process (oidc-provider runs outside Jest's realm) that
 * accepts any loopback audience; tokens live 4 h, so no test depends on expiry timing.
 */
export async function startTestIssuer(dashboardRedirectUris: readonly string[] = [], lifetime: 'closed-by-caller' | 'until-process-exit' = 'closed-by-caller'): Promise<TestIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'brixia-test-issuer-'));
  const child = spawn(process.execPath, ['-r', './tools/register.js', 'apps/api/src/dev-issuer/dev-issuer-command.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', BRIXIA_DEV_ISSUER_DIR: dir, BRIXIA_DEV_ISSUER_PORT: '0', BRIXIA_DEV_ISSUER_AUDIENCES: 'any-loopback', BRIXIA_DEV_ISSUER_REDIRECTS: dashboardRedirectUris.join(','), BRIXIA_DEV_ISSUER_TTL_S: String(4 * 3600) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`test issuer did not start in 120 s:\n${log}`)), 120_000);
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /"issuer":"([^"]+)"/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test issuer exited with ${code}:\n${log}`));
    });
  });
  const { state, keys } = await readDevIssuerState(dir);
  const tokenEndpoint = await tokenEndpointOf(url);
  if (lifetime === 'until-process-exit') {
    // Shared by every spec file of a Jest worker: it must neither keep the worker alive nor outlive it.
    child.unref();
    // A child's piped stdio is a net.Socket, though typed as a plain stream.
    (child.stdout as unknown as Socket).unref();
    (child.stderr as unknown as Socket).unref();
    process.once('exit', () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return {
    url,
    tokenEndpoint,
    keys,
    token: (audience, options = {}) => tokenRequest(tokenEndpoint, state.systemClientId, keys, audience, options),
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The one issuer of this Jest worker for services no browser signs in to (starting a provider costs
 * 2–15 s, a few dozen times per run). The Jest environment (tools/jest-ort-environment.js) starts it on
 * first use, outside the spec files' realms, and stops it when the worker exits; `close()` is a no-op.
 * Without that environment, each call starts an issuer of its own.
 */
export async function sharedTestIssuer(): Promise<TestIssuer> {
  const shared = (globalThis as { __brixiaSharedTestIssuer?: () => Promise<TestIssuer> }).__brixiaSharedTestIssuer;
  if (!shared) return startTestIssuer();
  const issuer = await shared();
  return { url: issuer.url, tokenEndpoint: issuer.tokenEndpoint, keys: issuer.keys, token: (audience, options) => issuer.token(audience, options), close: async () => undefined };
}

/** A token from the development provider a child `npm start` runs (its state in `dir`). */
export async function tokenFromDevIssuer(dir: string, options: TokenOptions = {}): Promise<string> {
  const { state, keys } = await readDevIssuerState(dir);
  return tokenRequest(await tokenEndpointOf(state.issuer), state.systemClientId, keys, state.audience, options);
}
