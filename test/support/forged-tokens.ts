import { createHmac, createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import type { TestIssuer } from './auth';

/** One invalid bearer credential and why it must be refused. */
export interface ForgedToken {
  readonly name: string;
  /** The whole Authorization header value (undefined: no header). */
  readonly header: string | undefined;
}

const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * At least 40 credentials a resource server must refuse (401): claims broken one at a time under the
 * issuer's real signing key (so only the claim check can catch them), foreign keys and algorithms,
 * and damaged or malformed tokens. `valid` is a real token of the issuer for the service.
 */
export async function forgedTokens(issuer: TestIssuer, audience: string, valid: string): Promise<ForgedToken[]> {
  const realKey = await importJWK(issuer.keys.signing, 'RS256');
  const kid = issuer.keys.signing.kid as string;
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = { iss: issuer.url, aud: audience, sub: 'brixia-demo-system', client_id: 'brixia-demo-system', scope: 'system/*.cruds', iat: now, exp: now + 600, jti: 'forged' };
  const signed = async (payload: JWTPayload, header: Record<string, unknown> = {}, key: Parameters<SignJWT['sign']>[0] = realKey, alg = 'RS256'): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg, typ: 'at+jwt', kid, ...header }).sign(key);
  const without = (name: string): JWTPayload => Object.fromEntries(Object.entries(claims).filter(([key]) => key !== name));
  const attacker = await generateKeyPair('RS256', { extractable: true });
  const attackerEc = await generateKeyPair('ES256', { extractable: true });
  const [header, payload, signature] = valid.split('.');
  const validClaims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as JWTPayload;
  const publicPem = createPublicKey({ key: { kty: 'RSA', n: issuer.keys.signing.n, e: issuer.keys.signing.e } as import('node:crypto').JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const hmac = (secret: string, body: JWTPayload): string => {
    const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(body)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const bearer = (token: string): string => `Bearer ${token}`;
  const list: Array<[string, string | undefined]> = [
    ['no Authorization header', undefined],
    ['empty Authorization header', ''],
    ['Bearer without a token', 'Bearer '],
    ['Basic credentials', `Basic ${Buffer.from('brixia-demo-system:secret').toString('base64')}`],
    ['token without the Bearer scheme', valid],
    ['two tokens in one header', `Bearer ${valid} ${valid}`],
    ['random text', bearer('not-a-jwt')],
    ['two segments only', bearer(`${header}.${payload}`)],
    ['four segments', bearer(`${valid}.${signature}`)],
    ['payload not JSON', bearer(`${header}.${b64('garbage')}.${signature}`)],
    ['header not JSON', bearer(`${b64('garbage')}.${payload}.${signature}`)],
    ['expired (beyond the skew)', bearer(await signed({ ...claims, iat: now - 7200, exp: now - 3600 }))],
    ['not yet valid (nbf beyond the skew)', bearer(await signed({ ...claims, nbf: now + 3600, exp: now + 7200 }))],
    ['without exp', bearer(await signed(without('exp')))],
    ['wrong issuer', bearer(await signed({ ...claims, iss: 'http://127.0.0.1:1' }))],
    ['issuer with a trailing slash', bearer(await signed({ ...claims, iss: `${issuer.url}/` }))],
    ['without iss', bearer(await signed(without('iss')))],
    ['wrong audience', bearer(await signed({ ...claims, aud: 'http://127.0.0.1:1/fhir' }))],
    ['audience of another path', bearer(await signed({ ...claims, aud: `${audience}/Observation` }))],
    ['without aud', bearer(await signed(without('aud')))],
    ['without sub', bearer(await signed(without('sub')))],
    ['empty sub', bearer(await signed({ ...claims, sub: '' }))],
    ['without client_id', bearer(await signed(without('client_id')))],
    ['numeric client_id', bearer(await signed({ ...claims, client_id: 42 }))],
    ['scope not a string', bearer(await signed({ ...claims, scope: ['system/*.cruds'] }))],
    ['patient claim not a FHIR id', bearer(await signed({ ...claims, patient: '../Patient/x' }))],
    ['token type JWT (an ID token, not an access token)', bearer(await signed(claims, { typ: 'JWT' }))],
    ['no token type', bearer(await signed(claims, { typ: undefined }))],
    ['alg none', bearer(`${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`)],
    ['alg none with the real signature', bearer(`${b64({ alg: 'none', typ: 'at+jwt', kid })}.${payload}.${signature}`)],
    ['HS256 keyed with the public key PEM', bearer(hmac(publicPem, claims))],
    ['HS256 keyed with the public modulus', bearer(hmac(String(issuer.keys.signing.n), claims))],
    ['RS512 (outside the allow-list) under the real key', bearer(await signed(claims, { alg: 'RS512' }, realKey, 'RS512'))],
    ['PS256 (outside the allow-list) under the real key', bearer(await signed(claims, { alg: 'PS256' }, realKey, 'PS256'))],
    ['signed by another key under the real kid', bearer(await signed(claims, {}, attacker.privateKey))],
    ['signed by another key with an unknown kid', bearer(await signed(claims, { kid: 'unknown-kid' }, attacker.privateKey))],
    ['ES256 by another key with an unknown kid', bearer(await signed(claims, { alg: 'ES256', kid: 'unknown-ec' }, attackerEc.privateKey, 'ES256'))],
    ['embedded jwk header (attacker key)', bearer(await signed(claims, { kid: undefined, jwk: await exportJWK(attacker.publicKey) }, attacker.privateKey))],
    ['jku header pointing elsewhere', bearer(await signed(claims, { kid: 'elsewhere', jku: 'http://127.0.0.1:1/jwks' }, attacker.privateKey))],
    ['tampered payload (scope widened)', bearer(`${header}.${b64({ ...validClaims, scope: 'system/*.cruds user/*.cruds patient/*.cruds' })}.${signature}`)],
    ['tampered payload (patient removed)', bearer(`${header}.${b64({ ...validClaims, sub: 'someone-else' })}.${signature}`)],
    ['tampered header (kid changed)', bearer(`${b64({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'other' })}.${payload}.${signature}`)],
    ['signature of another token', bearer(`${header}.${payload}.${(await signed(claims)).split('.')[2]}`)],
    ['truncated signature', bearer(`${header}.${payload}.${signature.slice(0, -8)}`)],
    ['flipped signature bit', bearer(`${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`)],
    ['empty signature', bearer(`${header}.${payload}.`)],
  ];
  return list.map(([name, value]) => ({ name, header: value }));
}
