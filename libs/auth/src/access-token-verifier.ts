import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '@brixia/common';
import type { Principal } from './principal';

/** Asymmetric signatures only: never `none`, never HMAC (a public key must not verify as a secret). */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'ES256', 'ES384'] as const;
/** The most clock skew an operator may configure (seconds). */
export const MAX_CLOCK_SKEW_S = 300;

export interface AccessTokenVerifierOptions {
  /** Expected `iss`, exactly. */
  readonly issuer: string;
  /** Expected `aud` (this service's FHIR base URL unless configured otherwise). */
  readonly audience: string;
  /** The issuer's JWKS (from its discovery document). */
  readonly jwksUri: string;
  /** Accepted skew on exp/nbf/iat, 0–300 s. */
  readonly clockSkewSeconds: number;
  /** Least time between two JWKS fetches (an unknown `kid` refetches at most this often). */
  readonly jwksCooldownMs?: number;
  /** Keys older than this are refetched on the next verification. */
  readonly jwksMaxAgeMs?: number;
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The token of an `Authorization: Bearer …` header (RFC 6750 §2.1), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header.trim())?.[1];
}

function invalid(message: string, cause?: unknown): AppError {
  return new AppError('AUTH.TOKEN_INVALID', message, { cause });
}

function optionalString(payload: JWTPayload, claim: string): string | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`The access token's ${claim} claim is not a string`);
  return value;
}

/**
 * Verifies JWT access tokens (RFC 9068) locally against the issuer's published keys with `jose`:
 * signature with an allowed algorithm, `typ` at+jwt, `iss`, `aud`, `exp` (required) and `nbf` within
 * the skew, `sub` and `client_id` present. Keys are cached; an unknown `kid` refetches the JWKS, at
 * most once per cooldown (jose's createRemoteJWKSet).
 */
export class AccessTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly options: AccessTokenVerifierOptions,
    keys?: JWTVerifyGetKey,
  ) {
    if (!(options.clockSkewSeconds >= 0 && options.clockSkewSeconds <= MAX_CLOCK_SKEW_S)) throw new AppError('CONFIG.INVALID', `Clock skew must be 0–${MAX_CLOCK_SKEW_S} s`);
    this.keys = keys ?? createRemoteJWKSet(new URL(options.jwksUri), { cooldownDuration: options.jwksCooldownMs ?? 30_000, cacheMaxAge: options.jwksMaxAgeMs ?? 600_000, timeoutDuration: 5_000 });
  }

  /** The principal of a valid token; throws AUTH.TOKEN_INVALID (safe message, no token content) otherwise. */
  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [...ALLOWED_ALGORITHMS],
        typ: 'at+jwt',
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub', 'client_id'],
      }));
    } catch (error) {
      throw invalid(describeJoseError(error), error);
    }
    const subject = optionalString(payload, 'sub') as string;
    const clientId = optionalString(payload, 'client_id') as string;
    const scope = payload['scope'];
    if (scope !== undefined && typeof scope !== 'string') throw invalid("The access token's scope claim is not a string");
    const patient = optionalString(payload, 'patient');
    if (patient !== undefined && !FHIR_ID.test(patient)) throw invalid("The access token's patient claim is not a FHIR id");
    return {
      subject,
      clientId,
      fhirUser: optionalString(payload, 'fhirUser'),
      patient,
      scopes: (scope ?? '').split(' ').filter(Boolean),
    };
  }
}

/** A short reason for logs and the OperationOutcome; never echoes the token. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The access token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The access token's ${error.claim} claim is not acceptable`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm this service does not accept';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The access token is signed with a key the issuer does not publish';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The access token signature does not verify';
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC') return 'The issuer keys could not be fetched';
  return 'The access token is malformed or not a JWT access token';
}
