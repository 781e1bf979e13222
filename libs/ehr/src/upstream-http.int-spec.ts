import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUpstreamFetch } from './upstream-http';
import { UrlAllowList } from './url-allow-list';

/** The bounded fetch the PACS adapter uses, against a loopback server that misbehaves on request. */
describe('createUpstreamFetch', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.endsWith('/big')) return void res.writeHead(200, { 'content-type': 'application/dicom' }).end(Buffer.alloc(300_000));
      if (req.url?.endsWith('/chunked-big')) {
        res.writeHead(200, { 'content-type': 'application/dicom' });
        for (let i = 0; i < 40; i++) res.write(Buffer.alloc(10_000));
        return void res.end();
      }
      if (req.url?.endsWith('/redirect')) return void res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      // Never answers (the connection is closed in afterAll): the timeout fires however slow the machine is.
      if (req.url?.endsWith('/slow')) return;
      res.writeHead(200, { 'content-type': 'text/plain', 'x-auth': String(req.headers.authorization) }).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // Answers on loopback take milliseconds; 30 s keeps loaded CI cores from turning them into timeouts.
  const http = (timeoutMs = 30_000) =>
    createUpstreamFetch({ allowList: new UrlAllowList([{ baseUrl: base, value: 'pacs' }]), limits: { timeoutMs, maxResponseBytes: 100_000 }, what: 'PACS', headersFor: async () => ({ authorization: 'Bearer t' }) });

  it('fetches allowed URLs with the configured credentials', async () => {
    const response = await http()(`${base}/studies/1`);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('ok');
    expect(response.headers.get('x-auth')).toBe('Bearer t');
  });

  it.each([
    ['a declared oversized answer', '/big', 'UPSTREAM.TOO_LARGE'],
    ['an oversized chunked answer', '/chunked-big', 'UPSTREAM.TOO_LARGE'],
    ['a redirect (never followed)', '/redirect', 'UPSTREAM.INVALID_RESPONSE'],
  ])('refuses %s', async (_what, path, code) => {
    await expect(http()(`${base}${path}`)).rejects.toMatchObject({ code });
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    await expect(http(500)(`${base}/slow`)).rejects.toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' });
  });

  it('never contacts a URL outside the allow-list', async () => {
    await expect(http()('http://127.0.0.1:1/dicom-web/studies/1')).rejects.toMatchObject({ code: 'UPSTREAM.NOT_ALLOWED' });
  });
});
