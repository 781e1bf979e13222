import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';

export interface SystemTokenRequest {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  /** The client's private JWK (RS384). */
  readonly key: JWK;
  readonly scope: string;
  /** Resource indicator (RFC 8707): the service's audience. */
  readonly audience: string;
  /** Development provider extension: a `patient` claim. */
  readonly patient?: string;
  /** Development provider extension: a `fhirUser` claim, e.g. Practitioner/dr-rossi. */
  readonly fhirUser?: string;
}

/**
 * SMART Backend Services token request: client_credentials with a private_key_jwt assertion
 * (iss = sub = client id, aud = token endpoint, exp ≤ 5 min, fresh jti; RFC 7523).
 */
export async function requestSystemToken(request: SystemTokenRequest): Promise<string> {
  const key = await importJWK(request.key, 'RS384');
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS384', kid: request.key.kid, typ: 'JWT' })
    .setIssuer(request.clientId)
    .setSubject(request.clientId)
    .setAudience(request.tokenEndpoint)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .setJti(randomUUID())
    .sign(key);
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: request.scope,
    resource: request.audience,
  });
  if (request.patient) form.set('patient', request.patient);
  if (request.fhirUser) form.set('fhir_user', request.fhirUser);
  const response = await fetch(request.tokenEndpoint, { method: 'POST', body: form, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request refused: ${response.status} ${body.error ?? ''} ${body.error_description ?? ''}`.trim());
  return body.access_token;
}
