import { createServer, type Server } from 'node:http';
import request from 'supertest';
import './support/fhir-responses';

// The shared hook (support/fhir-responses.ts) must be able to fail: a server answering a broken resource
// fails the request even though the test's own assertions pass, and a non-FHIR body is left alone.
describe('every FHIR response the e2e tests receive is validated', () => {
  let server: Server;
  const bodies: Record<string, { type: string; body: string }> = {
    '/broken': { type: 'application/fhir+json', body: JSON.stringify({ resourceType: 'Observation', status: 'done', code: {}, note: [] }) },
    '/valid': { type: 'application/fhir+json; charset=utf-8', body: JSON.stringify({ resourceType: 'Observation', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Brixia score</p></div>' }, status: 'final', code: { text: 'Brixia score' } }) },
    '/no-narrative': { type: 'application/fhir+json', body: JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Observation', status: 'final', code: { text: 'Brixia score' } } }] }) },
    '/not-fhir': { type: 'application/json', body: JSON.stringify({ status: 'done', list: [] }) },
  };

  beforeAll(() => {
    server = createServer((req, res) => {
      const answer = bodies[req.url ?? ''] ?? { type: 'text/plain', body: 'no' };
      res.writeHead(200, { 'content-type': answer.type }).end(answer.body);
    });
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails a broken resource with every validator that sees the break, and passes a valid one', async () => {
    const failure = await request(server).get('/broken').expect(200).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toContain('GET');
    for (const validator of ['medplum', 'json-schema', 'fhir.js', 'json-rules']) expect(failure?.message).toContain(`[${validator}]`);
    await request(server).get('/valid').expect(200);
  });

  it('fails a resource without a generated narrative, also inside a Bundle', async () => {
    await expect(request(server).get('/no-narrative').expect(200)).rejects.toThrow(/\[narrative\] Bundle.entry\[0\].resource \(Observation\)/);
  });

  it('reports a wrong status as such, before the conformance check', async () => {
    await expect(request(server).get('/broken').expect(201)).rejects.toThrow(/expected 201/);
  });

  it('leaves responses without a FHIR resource alone', async () => {
    await request(server).get('/not-fhir').expect(200);
  });
});
