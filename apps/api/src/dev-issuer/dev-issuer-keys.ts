import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** The development provider's key material: its token-signing key and the demo system client's key. */
export interface DevIssuerKeys {
  /** Private RS256 JWK the provider signs access and ID tokens with. */
  readonly signing: JWK;
  /** Private RS384 JWK of the demo system client (private_key_jwt); the provider holds its public half. */
  readonly systemClient: JWK;
}

async function privateJwk(alg: 'RS256' | 'RS384', kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), alg, kid, use: 'sig' };
}

/** Fresh keys (tests; and the first start of `npm start`). */
export async function generateDevIssuerKeys(): Promise<DevIssuerKeys> {
  const stamp = Date.now().toString(36);
  return { signing: await privateJwk('RS256', `dev-signing-${stamp}`), systemClient: await privateJwk('RS384', `demo-system-${stamp}`) };
}

/** The public half of a private JWK. */
export function publicJwk(jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, alg, kid, use } = jwk;
  return Object.fromEntries(Object.entries({ kty, n, e, crv, x, y, alg, kid, use }).filter(([, value]) => value !== undefined)) as unknown as JWK;
}

/**
 * Keys kept in `<dir>/keys.json` (mode 0600) so tokens survive a restart and `npm run token` can sign
 * the demo client's assertion; created on first use.
 */
export async function loadOrCreateDevIssuerKeys(dir: string): Promise<DevIssuerKeys> {
  const file = join(dir, 'keys.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as DevIssuerKeys;
  const keys = await generateDevIssuerKeys();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** What `npm run token` needs to find the running development provider. */
export interface DevIssuerState {
  readonly issuer: string;
  readonly audience: string;
  readonly systemClientId: string;
}

export async function writeDevIssuerState(dir: string, state: DevIssuerState): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'issuer.json'), JSON.stringify(state), { mode: 0o600 });
}

export async function readDevIssuerState(dir: string): Promise<{ state: DevIssuerState; keys: DevIssuerKeys }> {
  const state = JSON.parse(await readFile(join(dir, 'issuer.json'), 'utf8')) as DevIssuerState;
  const keys = JSON.parse(await readFile(join(dir, 'keys.json'), 'utf8')) as DevIssuerKeys;
  return { state, keys };
}
