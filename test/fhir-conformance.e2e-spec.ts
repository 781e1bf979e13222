import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { FHIR_JSON, startService, uploadRadiograph, type TestService } from './support/service';

const PROBE_VALUES: Record<string, string> = { token: 'x', reference: 'x', date: 'ge2024-01-01', number: '1', string: 'id' };
const RESULT_VALUES: Record<string, string> = { _count: '1', _offset: '1', _summary: 'count', _elements: 'id', _sort: '_lastUpdated' };

/**
 * The CapabilityStatement is the test's only source of expectations: every interaction and search
 * parameter it lists must work, every method it does not list must be a 405 with Allow.
 */
describe('FHIR conformance derived from the CapabilityStatement (PostgreSQL, real model)', () => {
  let service: TestService;
  let statement: fhir4.CapabilityStatement;
  let observation: fhir4.Observation;
  const knownIds = new Map<string, string>();

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('fhir_conformance_e2e') });
    observation = (await uploadRadiograph(service, { patient: 'conformance-a', acquired: '2024-07-01T08:00:00Z', seed: 41 })).body as fhir4.Observation;
    statement = (await service.http.get('/fhir/metadata').expect(200)).body as fhir4.CapabilityStatement;
    await expectValidR4(statement);
    knownIds.set('Observation', observation.id as string);
    knownIds.set('Device', (observation.device?.reference as string).split('/')[1]);
    knownIds.set('CodeSystem', 'brixia-score');
    knownIds.set('OperationDefinition', 'brixia-score');
    knownIds.set('Basic', 'brixia-result');
    for (const resource of statement.rest?.[0].resource ?? []) {
      if (knownIds.has(resource.type) || !resource.interaction?.some((i) => i.code === 'search-type')) continue;
      const bundle = (await service.http.get(`/fhir/${resource.type}`).query({ _count: 1 }).expect(200)).body as fhir4.Bundle;
      const id = bundle.entry?.[0]?.resource?.id;
      if (id) knownIds.set(resource.type, id);
    }
  });

  afterAll(async () => {
    await service?.close();
  });

  const resources = (): fhir4.CapabilityStatementRestResource[] => statement.rest?.[0].resource ?? [];

  it('reads, vreads and searches every type as declared, with ETag on versioned types', async () => {
    expect(knownIds.get('Task')).toBeDefined();
    expect(knownIds.get('ImagingStudy')).toBeDefined();
    for (const resource of resources()) {
      const codes = (resource.interaction ?? []).map((i) => i.code);
      const id = knownIds.get(resource.type);
      if (codes.includes('read') && id) {
        const read = await service.http.get(`/fhir/${resource.type}/${id}`).set('Accept', FHIR_JSON);
        expect([resource.type, read.status]).toEqual([resource.type, 200]);
        if (resource.versioning === 'versioned') {
          expect([resource.type, read.headers['etag']]).toEqual([resource.type, `W/"${read.body.meta.versionId}"`]);
          if (codes.includes('vread')) await service.http.get(`/fhir/${resource.type}/${id}/_history/${read.body.meta.versionId}`).set('Accept', FHIR_JSON).expect(200);
          if (resource.conditionalRead === 'full-support') await service.http.get(`/fhir/${resource.type}/${id}`).set('If-None-Match', read.headers['etag']).expect(304);
        }
      }
      if (codes.includes('history-instance') && id) await service.http.get(`/fhir/${resource.type}/${id}/_history`).expect(200);
      if (codes.includes('history-type')) await service.http.get(`/fhir/${resource.type}/_history`).expect(200);
      if (codes.includes('search-type')) await expectValidR4((await service.http.get(`/fhir/${resource.type}`).expect(200)).body);
    }
  });

  it('honours every declared search parameter under handling=strict, and refuses an undeclared one', async () => {
    for (const resource of resources()) {
      for (const param of resource.searchParam ?? []) {
        const value = RESULT_VALUES[param.name] ?? PROBE_VALUES[param.type];
        const response = await service.http.get(`/fhir/${resource.type}`).query({ [param.name]: value }).set('Prefer', 'handling=strict');
        expect([resource.type, param.name, response.status]).toEqual([resource.type, param.name, 200]);
        const self = new URL(response.body.link.find((l: fhir4.BundleLink) => l.relation === 'self').url);
        expect([resource.type, param.name, self.searchParams.has(param.name)]).toEqual([resource.type, param.name, true]);
      }
      for (const include of [...(resource.searchInclude ?? []).map((v) => ['_include', v]), ...(resource.searchRevInclude ?? []).map((v) => ['_revinclude', v])]) {
        await service.http.get(`/fhir/${resource.type}`).query({ [include[0]]: include[1] }).set('Prefer', 'handling=strict').expect(200);
      }
      if (resource.interaction?.some((i) => i.code === 'search-type')) {
        const refused = await service.http.get(`/fhir/${resource.type}`).query({ 'not-declared': 'x' }).set('Prefer', 'handling=strict').expect(400);
        expect(refused.body.issue[0].diagnostics).toContain('not-declared');
      }
    }
  });

  it('answers undeclared interactions with 405 and an Allow naming what is declared', async () => {
    for (const resource of resources()) {
      const codes = (resource.interaction ?? []).map((i) => i.code);
      const id = knownIds.get(resource.type) ?? 'some-id';
      for (const method of ['put', 'patch', 'delete', 'post'] as const) {
        const declared = method === 'delete' ? codes.includes('delete') : false;
        if (declared) continue;
        const response = await service.http[method](`/fhir/${resource.type}/${id}`).set('Content-Type', FHIR_JSON).send('{}');
        expect([resource.type, method, response.status]).toEqual([resource.type, method, 405]);
        const allow = String(response.headers['allow']).split(/,\s*/);
        expect([resource.type, allow.includes('GET')]).toEqual([resource.type, codes.includes('read')]);
        expect(response.body.resourceType).toBe('OperationOutcome');
      }
      if (!codes.includes('create')) {
        const post = await service.http.post(`/fhir/${resource.type}`).set('Content-Type', FHIR_JSON).send('{}');
        expect([resource.type, post.status]).toEqual([resource.type, 405]);
      }
    }
    const batch = await service.http.post('/fhir').set('Content-Type', FHIR_JSON).send({ resourceType: 'Bundle', type: 'batch' }).expect(405);
    expect(batch.body.resourceType).toBe('OperationOutcome');
    await service.http.get('/fhir/Banana/1').expect(404);
  });

  it('answers XML with 406, honours _pretty, and the declared operations', async () => {
    const path = `/fhir/Observation/${observation.id}`;
    expect((await service.http.get(path).query({ _format: 'xml' }).expect(406)).body.resourceType).toBe('OperationOutcome');
    await service.http.get(path).set('Accept', 'application/fhir+xml').expect(406);
    await service.http.get(path).set('Accept', 'application/fhir+xml, application/fhir+json;q=0.9').expect(200);
    await service.http.get(path).query({ _format: 'json' }).expect(200);
    const pretty = await service.http.get(path).query({ _pretty: 'true' }).expect(200);
    expect(pretty.text).toContain('\n  "resourceType"');
    const byGet = await service.http.get('/fhir/Observation/$lastn').query({ patient: 'conformance-a', max: '1' }).expect(200);
    const byPost = await service.http
      .post('/fhir/Observation/$lastn')
      .set('Content-Type', FHIR_JSON)
      .send({ resourceType: 'Parameters', parameter: [{ name: 'patient', valueReference: { reference: 'Patient/conformance-a' } }, { name: 'max', valueInteger: 1 }] })
      .expect(200);
    expect(byPost.body.entry.map((e: fhir4.BundleEntry) => e.resource?.id)).toEqual(byGet.body.entry.map((e: fhir4.BundleEntry) => e.resource?.id));
    const byForm = await service.http.post('/fhir/Observation/$lastn').type('form').send('patient=conformance-a').expect(200);
    expect(byForm.body.total).toBe(1);
    const definition = (await service.http.get('/fhir/OperationDefinition/brixia-score').expect(200)).body as fhir4.OperationDefinition;
    expect(definition.parameter?.filter((p) => p.use === 'in').map((p) => p.name)).toEqual(['imagingStudy']);
  });

  it('creates as Prefer: return= asks (minimal, representation, OperationOutcome)', async () => {
    const study = observation.derivedFrom?.find((d) => d.reference?.startsWith('ImagingStudy/'))?.reference as string;
    const minimal = await service.http.post(`/fhir/${study}/$brixia-score`).set('Prefer', 'return=minimal').expect(200);
    expect(minimal.text).toBe('');
    expect(minimal.headers['location']).toContain(`/Observation/${observation.id}`);
    const outcome = await service.http.post(`/fhir/${study}/$brixia-score`).set('Prefer', 'return=OperationOutcome').expect(200);
    expect(outcome.body.resourceType).toBe('OperationOutcome');
    const representation = await service.http.post(`/fhir/${study}/$brixia-score`).set('Prefer', 'return=representation').expect(200);
    expect(representation.body.id).toBe(observation.id);
  });
});
