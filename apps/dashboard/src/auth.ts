/**
 * Sign-in: OpenID Connect authorization code flow with PKCE (RFC 7636) against the issuer named by
 * the service's SMART discovery. The access and refresh tokens live in this module's memory only
 * (never localStorage); only the PKCE verifier, state and return route survive the redirect, in
 * sessionStorage, and are removed on return.
 */

/** Registered at the issuer as a public client (no secret) with redirect URI <origin>/dashboard/. */
export const CLIENT_ID = 'brixia-dashboard';
const SCOPE = 'openid fhirUser profile offline_access user/*.cruds';
const PENDING = 'brixia-login';

interface SmartConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in?: number;
}

/** Who is signed in (from the ID token; the service records the reviewer from the access token). */
export interface SignedInUser {
  readonly name: string;
  readonly fhirUser: string;
}

let accessToken: string | undefined;
let refreshToken: string | undefined;
let idToken: string | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let configuration: SmartConfiguration | undefined;

const redirectUri = (): string => `${location.origin}/dashboard/`;
const fhirBase = (): string => `${location.origin}/fhir`;

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discover(): Promise<SmartConfiguration> {
  configuration ??= (await (await fetch('/fhir/.well-known/smart-configuration')).json()) as SmartConfiguration;
  return configuration;
}

/** The current access token (undefined before sign-in and after sign-out). */
export function currentAccessToken(): string | undefined {
  return accessToken;
}

export function signedInUser(): SignedInUser | undefined {
  if (!idToken) return undefined;
  const claims = JSON.parse(atob(idToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string; name?: string; fhirUser?: string };
  return { name: claims.name ?? claims.sub, fhirUser: claims.fhirUser ?? '' };
}

async function tokenRequest(form: Record<string, string>): Promise<void> {
  const { token_endpoint } = await discover();
  const response = await fetch(token_endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ client_id: CLIENT_ID, ...form }) });
  if (!response.ok) throw new Error(`Sign-in failed (${response.status})`);
  const tokens = (await response.json()) as TokenResponse;
  accessToken = tokens.access_token;
  refreshToken = tokens.refresh_token ?? refreshToken;
  idToken = tokens.id_token ?? idToken;
  if (refreshTimer) clearTimeout(refreshTimer);
  // Renew a minute before expiry (or halfway through very short lifetimes).
  const lifetime = tokens.expires_in ?? 300;
  if (refreshToken) refreshTimer = setTimeout(() => void refresh(), Math.max(5, Math.min(lifetime - 60, lifetime / 2)) * 1000);
}

/** Uses the refresh token; on failure the next call needing a token starts a new sign-in. */
export async function refresh(): Promise<boolean> {
  if (!refreshToken) return false;
  try {
    await tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
    return true;
  } catch {
    accessToken = undefined;
    refreshToken = undefined;
    return false;
  }
}

/** Goes to the issuer's login page; returns to the current route afterwards. */
export async function signIn(): Promise<never> {
  const { authorization_endpoint } = await discover();
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const url = new URL(authorization_endpoint);
  const params = { response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirectUri(), scope: SCOPE, state, code_challenge: challenge, code_challenge_method: 'S256', resource: fhirBase(), aud: fhirBase() };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  location.assign(url.toString());
  return new Promise<never>(() => undefined);
}

/**
 * Completes a sign-in when the issuer redirected back with a code. Returns true when a token is held
 * afterwards; false when the user still has to sign in.
 */
export async function completeSignIn(): Promise<boolean> {
  const query = new URLSearchParams(location.search);
  const code = query.get('code');
  const pending = sessionStorage.getItem(PENDING);
  if (!code || !pending) return accessToken !== undefined;
  sessionStorage.removeItem(PENDING);
  const { verifier, state, hash } = JSON.parse(pending) as { verifier: string; state: string; hash: string };
  history.replaceState(null, '', `${location.pathname}${hash}`);
  if (query.get('state') !== state) throw new Error('Sign-in answer does not match this browser tab (state)');
  await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: verifier });
  return true;
}

/** Forgets the tokens and ends the issuer session (OpenID Connect RP-Initiated Logout). */
export async function signOut(): Promise<void> {
  const hint = idToken;
  accessToken = refreshToken = idToken = undefined;
  if (refreshTimer) clearTimeout(refreshTimer);
  const { end_session_endpoint } = await discover();
  if (!end_session_endpoint) {
    location.assign(`${redirectUri()}#/signed-out`);
    return;
  }
  const url = new URL(end_session_endpoint);
  url.searchParams.set('client_id', CLIENT_ID);
  url.searchParams.set('post_logout_redirect_uri', `${redirectUri()}`);
  if (hint) url.searchParams.set('id_token_hint', hint);
  sessionStorage.setItem('brixia-signed-out', '1');
  location.assign(url.toString());
}

/** True once after a sign-out (the page then shows the sign-in button instead of redirecting). */
export function justSignedOut(): boolean {
  const flag = sessionStorage.getItem('brixia-signed-out') === '1';
  sessionStorage.removeItem('brixia-signed-out');
  return flag;
}
