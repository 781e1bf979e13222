import { generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EhrDirectory } from './ehr-directory';
import { startFhirPeer, type FhirPeer } from './testing';

/**
 * SMART Backend Services end to end: a token endpoint that checks the private_key_jwt assertion with
 * the registered public key (as an EHR's authorization server does) and a FHIR server that requires
 * the token it issued; the token is fetched once and reused until expiry.
 */
describe('SMART Backend Services against a token endpoint and a FHIR server', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  let tokenServer: Server;
  let tokenUrl: string;
  let peer: FhirPeer;
  const tokenRequests: URLSearchParams[] = [];

  beforeAll(async () => {
    tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        tokenRequests.push(form);
        const [header, claims, signature] = (form.get('client_assertion') ?? '').split('.');
        const valid =
          form.get('grant_type') === 'client_credentials' &&
          verify('sha384', Buffer.from(`${header}.${claims}`), { key: keys.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature ?? '', 'base64url')) &&
          JSON.parse(Buffer.from(claims, 'base64url').toString()).aud === tokenUrl;
        res.writeHead(valid ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(valid ? { access_token: 'issued-token', token_type: 'bearer', expires_in: 300, scope: form.get('scope') } : { error: 'invalid_client' }));
      });
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', () => resolve()));
    tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}/auth/token`;
    peer = await startFhirPeer({ requireBearer: 'issued-token' });
  });

  afterAll(async () => {
    await peer?.close();
    tokenServer?.closeAllConnections();
    await new Promise((resolve) => tokenServer?.close(resolve));
  });

  it('reads from the EHR with a token obtained by a signed ES384 assertion, fetched once', async () => {
    const patient = await peer.seed<fhir4.Patient>({ resourceType: 'Patient' });
    const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const directory = await EhrDirectory.create({
      servers: [{ baseUrl: peer.baseUrl, auth: { kind: 'smart-backend', tokenUrl, clientId: 'brixia', privateKeyPem, algorithm: 'ES384', scope: 'system/Patient.read' } }],
      limits: { timeoutMs: 30_000, maxResponseBytes: 1 << 20 },
    });
    expect((await directory.defaultServer!.read('Patient', patient.id)).id).toBe(patient.id);
    expect((await directory.defaultServer!.read('Patient', patient.id)).id).toBe(patient.id);
    expect(tokenRequests).toHaveLength(1);
    expect(peer.requests.at(-1)?.headers.authorization).toBe('Bearer issued-token');

    const wrongKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refused = await EhrDirectory.create({
      servers: [{ baseUrl: peer.baseUrl, auth: { kind: 'smart-backend', tokenUrl, clientId: 'brixia', privateKeyPem: wrongKey, algorithm: 'ES384', scope: 'system/Patient.read' } }],
      limits: { timeoutMs: 30_000, maxResponseBytes: 1 << 20 },
    });
    await expect(refused.defaultServer!.read('Patient', patient.id)).rejects.toMatchObject({ code: 'UPSTREAM.UNAUTHORIZED' });
  });
});
