import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { AppError, type Clock, systemClock } from '@brixia/common';

/** How this service authenticates to one FHIR server. */
export type EhrAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | SmartBackendAuthConfig;

/** SMART Backend Services (https://hl7.org/fhir/smart-app-launch/backend-services.html). */
export interface SmartBackendAuthConfig {
  readonly kind: 'smart-backend';
  readonly tokenUrl: string;
  readonly clientId: string;
  /** PEM (PKCS#8 or SEC1/PKCS#1) private key matching the JWK registered with the EHR. */
  readonly privateKeyPem: string;
  readonly algorithm: 'RS384' | 'ES384';
  readonly keyId?: string;
  readonly scope: string;
}

/** Posts the token request; injected so the exchange is testable without a network. */
export type TokenEndpointCall = (url: string, form: URLSearchParams) => Promise<{ status: number; json: unknown }>;

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Renew this long before expiry, so a token never expires in flight. */
const EXPIRY_MARGIN_S = 30;

function base64url(value: Buffer | string): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * The signed client assertion (RFC 7523 §2.2): iss = sub = client_id, aud = token URL, exp ≤ 5 minutes
 * ahead (SMART Backend Services), a fresh jti. RS384 = RSASSA-PKCS1-v1_5 with SHA-384; ES384 = ECDSA
 * P-384 with SHA-384 whose signature is the raw r‖s (JWS, RFC 7518 §3.4), hence `ieee-p1363`.
 */
export function signClientAssertion(config: SmartBackendAuthConfig, key: KeyObject, nowSeconds: number): string {
  const header = { alg: config.algorithm, typ: 'JWT', ...(config.keyId ? { kid: config.keyId } : {}) };
  const claims = { iss: config.clientId, sub: config.clientId, aud: config.tokenUrl, exp: nowSeconds + 300, iat: nowSeconds, jti: randomUUID() };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    config.algorithm === 'ES384'
      ? sign('sha384', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : sign('sha384', Buffer.from(input), key);
  return `${input}.${base64url(signature)}`;
}

/**
 * Gets and caches access tokens with the client_credentials grant and a private_key_jwt assertion.
 * One refresh at a time; the token is reused until `expires_in` (less a margin) has passed.
 */
export class SmartBackendTokenProvider {
  private readonly key: KeyObject;
  private cached: { token: string; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;

  constructor(
    private readonly config: SmartBackendAuthConfig,
    private readonly call: TokenEndpointCall,
    private readonly clock: Clock = systemClock,
  ) {
    try {
      this.key = createPrivateKey(config.privateKeyPem);
    } catch (error) {
      throw new AppError('CONFIG.INVALID', 'The SMART Backend Services private key cannot be read', { cause: error });
    }
    const expected = config.algorithm === 'ES384' ? 'ec' : 'rsa';
    if (this.key.asymmetricKeyType !== expected) throw new AppError('CONFIG.INVALID', `${config.algorithm} needs an ${expected.toUpperCase()} private key`);
  }

  /** A valid access token, from the cache when it has not expired. */
  async accessToken(): Promise<string> {
    const now = this.clock.now().getTime();
    if (this.cached && now < this.cached.expiresAt) return this.cached.token;
    this.inFlight ??= this.fetchToken().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Forget the cached token (after a 401: the EHR may have revoked it). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const nowMs = this.clock.now().getTime();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.config.scope,
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: signClientAssertion(this.config, this.key, Math.floor(nowMs / 1000)),
    });
    const { status, json } = await this.call(this.config.tokenUrl, form);
    if (status === 400 || status === 401 || status === 403) throw new AppError('UPSTREAM.UNAUTHORIZED', `The token endpoint refused this client (HTTP ${status})`);
    if (status < 200 || status >= 300) throw new AppError('UPSTREAM.UNAVAILABLE', `The token endpoint is unavailable (HTTP ${status})`);
    const body = json as { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
    if (typeof body?.access_token !== 'string' || (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer')) {
      throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The token endpoint answered without a bearer access_token');
    }
    const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
    this.cached = { token: body.access_token, expiresAt: nowMs + Math.max(0, lifetime - EXPIRY_MARGIN_S) * 1000 };
    return body.access_token;
  }
}
