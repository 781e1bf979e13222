import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, FindAccount, KoaContextWithOIDC } from 'oidc-provider' with { 'resolution-mode': 'import' };
import type { Logger } from '@brixia/common';
import { publicJwk, type DevIssuerKeys } from './dev-issuer-keys';
import { smartScopeCatalogue } from './smart-scope-catalogue';

export const DEMO_SYSTEM_CLIENT_ID = 'brixia-demo-system';
export const DASHBOARD_CLIENT_ID = 'brixia-dashboard';

/** Seeded accounts of the development provider (its login page does not check passwords: dev only). */
export const DEMO_ACCOUNTS: Readonly<Record<string, { readonly fhirUser: string; readonly name: string }>> = {
  clinician: { fhirUser: 'Practitioner/demo-clinician', name: 'Demo Clinician' },
  'dr-rossi': { fhirUser: 'Practitioner/dr-rossi', name: 'Dr Rossi' },
};

export interface DevIssuerOptions {
  /** 0 picks a free port. Always bound to 127.0.0.1. */
  readonly port: number;
  readonly keys: DevIssuerKeys;
  /** Resource indicators (token audiences) accepted; the first is the default. `any-loopback`: tests. */
  readonly audiences: readonly string[] | 'any-loopback';
  /** Where the dashboard may be redirected back to (its /dashboard/ URLs). */
  readonly dashboardRedirectUris: readonly string[];
  readonly accessTokenTtlSeconds?: number;
  readonly logger?: Logger;
}

export interface DevIssuer {
  readonly url: string;
  close(): Promise<void>;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const LOOPBACK_URL = /^https?:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?\//;
const SYSTEM_SCOPES = smartScopeCatalogue(['system', 'user', 'patient']);
const USER_SCOPES = smartScopeCatalogue(['user']);

/**
 * The development (and test) OpenID provider: `oidc-provider` (OpenID Certified) on loopback, with
 * JWT access tokens (RFC 9068) for the service's audience, the demo system client (SMART Backend
 * Services: client_credentials + private_key_jwt) and the dashboard (authorization code + PKCE,
 * refresh tokens). Demo extension: the system client may ask for `patient` and `fhir_user` claims in
 * its token request, so `npm run token -- --patient … --user …` can mint scoped tokens.
 */
export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const { default: Provider, errors } = await import('oidc-provider');
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ttl = options.accessTokenTtlSeconds ?? 3600;
  const audienceAllowed = (indicator: string): boolean => (options.audiences === 'any-loopback' ? LOOPBACK_URL.test(indicator) : options.audiences.includes(indicator));
  const findAccount: FindAccount = async (_ctx, id) => {
    const account = DEMO_ACCOUNTS[id];
    return account ? { accountId: id, claims: async () => ({ sub: id, fhirUser: account.fhirUser, name: account.name }) } : undefined;
  };
  const configuration: Configuration = {
    clients: [
      {
        client_id: DEMO_SYSTEM_CLIENT_ID,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS384',
        jwks: { keys: [publicJwk(options.keys.systemClient) as never] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: DASHBOARD_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [...options.dashboardRedirectUris],
        post_logout_redirect_uris: [...options.dashboardRedirectUris],
      },
    ],
    jwks: { keys: [options.keys.signing as never] },
    findAccount,
    claims: { openid: ['sub'], fhirUser: ['fhirUser'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'fhirUser', 'profile'],
    pkce: { required: () => true },
    // SMART Backend Services asks servers to support RS384 and ES384 client assertions.
    enabledJWA: { clientAuthSigningAlgValues: ['RS256', 'RS384', 'ES256', 'ES384'] },
    cookies: { keys: [options.keys.signing.kid ?? 'dev-issuer'] },
    ttl: { AccessToken: ttl, ClientCredentials: ttl, IdToken: ttl, RefreshToken: 8 * 3600, Session: 8 * 3600, Grant: 8 * 3600, Interaction: 3600 },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? (options.audiences === 'any-loopback' ? undefined : options.audiences[0]),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator, client) => {
          if (!audienceAllowed(indicator)) throw new errors.InvalidTarget();
          return {
            scope: client.clientId === DEMO_SYSTEM_CLIENT_ID ? SYSTEM_SCOPES : USER_SCOPES,
            audience: indicator,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    extraTokenClaims: async (ctx: KoaContextWithOIDC, token) => {
      if (token.kind === 'ClientCredentials') {
        if (token.clientId !== DEMO_SYSTEM_CLIENT_ID) return undefined;
        const body = (ctx.oidc.body ?? {}) as Record<string, unknown>;
        const patient = typeof body['patient'] === 'string' && FHIR_ID.test(body['patient']) ? body['patient'] : undefined;
        const fhirUser = typeof body['fhir_user'] === 'string' && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(body['fhir_user']) ? body['fhir_user'] : undefined;
        return { ...(patient ? { patient } : {}), ...(fhirUser ? { fhirUser } : {}) };
      }
      const accountId = 'accountId' in token ? (token.accountId as string | undefined) : undefined;
      const account = accountId ? DEMO_ACCOUNTS[accountId] : undefined;
      return account ? { fhirUser: account.fhirUser } : undefined;
    },
  };
  const provider = new Provider(url, configuration);
  server.on('request', provider.callback());
  options.logger?.warn({ issuer: url }, 'development OpenID provider on loopback (BRIXIA_AUTH_ISSUER unset): demo accounts, no passwords; never in production');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
