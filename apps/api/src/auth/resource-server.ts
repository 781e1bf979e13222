import { AccessTokenVerifier, bearerToken, type Principal } from '@brixia/auth';
import { AppError, type Logger } from '@brixia/common';
import type { AuthConfig } from './auth-config';

/** The issuer's endpoints (OpenID Connect Discovery 1.0 / RFC 8414), as far as SMART discovery needs them. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly jwks_uri: string;
  readonly end_session_endpoint?: string;
  readonly revocation_endpoint?: string;
  readonly introspection_endpoint?: string;
}

/** Verifies bearer tokens for the HTTP and WebSocket transports. */
export interface ResourceServer {
  readonly mode: 'on' | 'off';
  /** Undefined when auth is off. */
  readonly issuer?: IssuerMetadata;
  readonly audience: string;
  /** The principal of an `Authorization` header value; AUTH.TOKEN_INVALID when absent or invalid. */
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** What every request is when BRIXIA_AUTH=off (experiments on loopback only; warned at every start). */
export const AUTH_OFF_PRINCIPAL: Principal = Object.freeze({ subject: 'auth-off', clientId: 'auth-off', scopes: Object.freeze(['system/*.cruds', 'user/*.cruds']) });

/** Reads the issuer's discovery document (fail fast at start-up when it is unreachable or inconsistent). */
export async function discoverIssuer(issuer: string): Promise<IssuerMetadata> {
  const url = `${issuer}/.well-known/openid-configuration`;
  let metadata: IssuerMetadata;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000), headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    metadata = (await response.json()) as IssuerMetadata;
  } catch (error) {
    throw new AppError('CONFIG.INVALID', `The OpenID provider ${issuer} did not answer its discovery document`, { cause: error });
  }
  if (metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string' || typeof metadata.token_endpoint !== 'string') {
    throw new AppError('CONFIG.INVALID', `The discovery document of ${issuer} names another issuer or lacks jwks_uri/token_endpoint`);
  }
  return metadata;
}

export async function createResourceServer(config: AuthConfig, logger: Logger): Promise<ResourceServer> {
  if (config.mode === 'off') {
    logger.warn({ auth: 'off' }, 'BRIXIA_AUTH=off: every request is served without a token (loopback only; never in production)');
    return { mode: 'off', audience: config.audience, authenticate: async () => AUTH_OFF_PRINCIPAL };
  }
  if (!config.issuer) throw new AppError('CONFIG.INVALID', 'Invalid configuration: BRIXIA_AUTH_ISSUER is required to serve HTTP (npm start runs a development provider when it is unset)');
  const issuer = await discoverIssuer(config.issuer);
  const verifier = new AccessTokenVerifier({ issuer: issuer.issuer, audience: config.audience, jwksUri: issuer.jwks_uri, clockSkewSeconds: config.clockSkewSeconds });
  logger.info({ issuer: issuer.issuer, audience: config.audience }, 'access tokens verified against the issuer keys');
  return {
    mode: 'on',
    issuer,
    audience: config.audience,
    async authenticate(authorization: string | undefined): Promise<Principal> {
      const token = bearerToken(authorization);
      if (!token) throw new AppError('AUTH.TOKEN_INVALID', authorization ? 'The Authorization header is not a Bearer token' : 'A Bearer access token is required');
      return verifier.verify(token);
    },
  };
}
