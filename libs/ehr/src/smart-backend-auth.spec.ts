import { generateKeyPairSync, verify } from 'node:crypto';
import { signClientAssertion, SmartBackendTokenProvider, type SmartBackendAuthConfig, type TokenEndpointCall } from './smart-backend-auth';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const pem = (key: typeof rsa.privateKey): string => key.export({ type: 'pkcs8', format: 'pem' }).toString();

const config = (algorithm: 'RS384' | 'ES384'): SmartBackendAuthConfig => ({
  kind: 'smart-backend',
  tokenUrl: 'https://ehr.example.org/auth/token',
  clientId: 'brixia',
  privateKeyPem: pem(algorithm === 'RS384' ? rsa.privateKey : ec.privateKey),
  algorithm,
  keyId: 'k1',
  scope: 'system/ImagingStudy.read system/Observation.write',
});

function decode(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown>; input: string; signature: Buffer } {
  const [h, c, s] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), claims: JSON.parse(Buffer.from(c, 'base64url').toString()), input: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
}

describe('SMART Backend Services client assertion', () => {
  it('signs RS384 verifiably with the public key, with the required claims', () => {
    const { header, claims, input, signature } = decode(signClientAssertion(config('RS384'), rsa.privateKey, 1_700_000_000));
    expect(header).toEqual({ alg: 'RS384', typ: 'JWT', kid: 'k1' });
    expect(claims).toMatchObject({ iss: 'brixia', sub: 'brixia', aud: 'https://ehr.example.org/auth/token', exp: 1_700_000_300 });
    expect(typeof claims.jti).toBe('string');
    expect(verify('sha384', Buffer.from(input), rsa.publicKey, signature)).toBe(true);
    expect(verify('sha384', Buffer.from(`${input}x`), rsa.publicKey, signature)).toBe(false);
  });

  it('signs ES384 as raw r‖s (96 bytes), as JWS requires', () => {
    const { header, input, signature } = decode(signClientAssertion(config('ES384'), ec.privateKey, 1_700_000_000));
    expect(header.alg).toBe('ES384');
    expect(signature.length).toBe(96);
    expect(verify('sha384', Buffer.from(input), { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('refuses a key of the wrong type at start-up', () => {
    expect(() => new SmartBackendTokenProvider({ ...config('ES384'), privateKeyPem: pem(rsa.privateKey) }, jest.fn())).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID' }));
  });
});

describe('SmartBackendTokenProvider', () => {
  let now = new Date('2024-01-01T00:00:00Z');
  const clock = { now: () => now };

  it('requests a token with client_credentials + private_key_jwt and caches it until expiry', async () => {
    const forms: URLSearchParams[] = [];
    const call: TokenEndpointCall = async (_url, form) => {
      forms.push(form);
      return { status: 200, json: { access_token: `token-${forms.length}`, token_type: 'bearer', expires_in: 300 } };
    };
    const provider = new SmartBackendTokenProvider(config('RS384'), call, clock);
    const [a, b] = await Promise.all([provider.accessToken(), provider.accessToken()]);
    expect([a, b]).toEqual(['token-1', 'token-1']);
    expect(forms).toHaveLength(1);
    expect(forms[0].get('grant_type')).toBe('client_credentials');
    expect(forms[0].get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    expect(forms[0].get('scope')).toContain('system/Observation.write');
    now = new Date(now.getTime() + 200_000);
    expect(await provider.accessToken()).toBe('token-1');
    now = new Date(now.getTime() + 80_000); // 280 s: inside the 30 s renewal margin
    expect(await provider.accessToken()).toBe('token-2');
    provider.invalidate();
    expect(await provider.accessToken()).toBe('token-3');
  });

  it('maps a refusal to UPSTREAM.UNAUTHORIZED and a bad answer to UPSTREAM.INVALID_RESPONSE', async () => {
    const refused = new SmartBackendTokenProvider(config('ES384'), async () => ({ status: 401, json: { error: 'invalid_client' } }), clock);
    await expect(refused.accessToken()).rejects.toMatchObject({ code: 'UPSTREAM.UNAUTHORIZED' });
    const odd = new SmartBackendTokenProvider(config('ES384'), async () => ({ status: 200, json: { token_type: 'mac' } }), clock);
    await expect(odd.accessToken()).rejects.toMatchObject({ code: 'UPSTREAM.INVALID_RESPONSE' });
  });
});
