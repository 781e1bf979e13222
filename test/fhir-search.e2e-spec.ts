import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, uploadRadiograph, type TestService } from './support/service';

const REVIEW = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;

/** FHIR search as an integrator uses it: every declared parameter filters, nothing unsupported is pretended. */
describe('FHIR search (PostgreSQL, real model)', () => {
  let service: TestService;
  let base: string;
  const observations: fhir4.Observation[] = [];

  const search = async (path: string, query: Record<string, string> = {}, prefer?: string): Promise<fhir4.Bundle> => {
    const request = service.http.get(path).query(query);
    const response = await (prefer ? request.set('Prefer', prefer) : request).expect(200);
    const bundle = response.body as fhir4.Bundle;
    await expectValidR4(bundle);
    return bundle;
  };
  const ids = (bundle: fhir4.Bundle, mode = 'match'): string[] => (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();
  const self = (bundle: fhir4.Bundle): URL => new URL(bundle.link?.find((l) => l.relation === 'self')?.url as string);

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('fhir_search_e2e') });
    base = service.runtime.config.fhir.baseUrl.replace(/\/+$/, '');
    for (const [seed, patient, acquired] of [[21, 'search-a', '2024-05-01T08:00:00Z'], [22, 'search-a', '2024-05-03T08:00:00Z'], [23, 'search-b', '2024-05-02T08:00:00Z']] as const) {
      observations.push((await uploadRadiograph(service, { patient, acquired, seed })).body as fhir4.Observation);
    }
    const confirmed = await service.http.post('/graphql').send({ query: REVIEW, variables: { input: { observationId: observations[1].id, action: 'CONFIRM', practitionerId: 'dr-rossi' } } }).expect(200);
    expect(confirmed.body.data.reviewAssessment.status).toBe('final');
  });

  afterAll(async () => {
    await service?.close();
  });

  it('filters on status and leaves unsupported parameters out of the self link, or refuses them under handling=strict', async () => {
    const finals = await search('/fhir/Observation', { patient: 'Patient/search-a', status: 'final', unknownParam: 'x', 'code:text': 'Brixia' });
    expect(ids(finals)).toEqual([`Observation/${observations[1].id}`]);
    expect(finals.total).toBe(1);
    expect([...self(finals).searchParams.keys()].sort()).toEqual(['_count', 'patient', 'status']);
    const preliminary = await search('/fhir/Observation', { patient: 'Patient/search-a', status: 'preliminary' });
    expect(ids(preliminary)).toEqual([`Observation/${observations[0].id}`]);
    for (const name of ['unknownParam', 'code:text', 'subject.identifier', '_has:Provenance:target:agent', '_include']) {
      const refused = await service.http.get('/fhir/Observation').query({ patient: 'search-a', [name]: name === '_include' ? 'Observation:subject' : 'x' }).set('Prefer', 'handling=strict').expect(400);
      expect(refused.body.resourceType).toBe('OperationOutcome');
      expect(JSON.stringify(refused.body.issue)).toContain(name);
    }
  });

  it('takes the patient as a relative reference, a bare id, an absolute URL and with the :Patient modifier', async () => {
    const expected = [`Observation/${observations[0].id}`, `Observation/${observations[1].id}`].sort();
    const forms: Array<Record<string, string>> = [{ patient: 'Patient/search-a' }, { subject: 'search-a' }, { subject: `${base}/Patient/search-a` }, { 'subject:Patient': 'search-a' }, { 'patient:Patient': 'Patient/search-a' }];
    for (const query of forms) {
      expect([query, ids(await search('/fhir/Observation', query))]).toEqual([query, expected]);
    }
    expect((await search('/fhir/Observation', { subject: 'Device/search-a' })).total).toBe(0);
  });

  it('searches Observation by code, category, identifier, _id, derived-from, device, date and _lastUpdated, with or without a patient', async () => {
    const [first, second, third] = observations;
    const all = [first, second, third].map((o) => `Observation/${o.id}`).sort();
    const coding = first.code.coding?.[0] as fhir4.Coding;
    expect(ids(await search('/fhir/Observation', { code: `${coding.system}|${coding.code}` }))).toEqual(all);
    expect((await search('/fhir/Observation', { code: `${coding.system}|nope` })).total).toBe(0);
    expect(ids(await search('/fhir/Observation', { category: 'http://terminology.hl7.org/CodeSystem/observation-category|imaging' }))).toEqual(all);
    const identifier = first.identifier?.[0] as fhir4.Identifier;
    expect(ids(await search('/fhir/Observation', { identifier: `${identifier.system}|${identifier.value}` }))).toEqual([`Observation/${first.id}`]);
    expect(ids(await search('/fhir/Observation', { _id: `${first.id},${third.id}` }))).toEqual([`Observation/${first.id}`, `Observation/${third.id}`].sort());
    const study = first.derivedFrom?.find((d) => d.reference?.startsWith('ImagingStudy/'))?.reference as string;
    expect(ids(await search('/fhir/Observation', { 'derived-from': study }))).toEqual([`Observation/${first.id}`]);
    expect(ids(await search('/fhir/Observation', { device: first.device?.reference as string }))).toEqual(all);
    const may2 = await search('/fhir/Observation', { date: 'ge2024-05-02', _sort: '-date' });
    expect(may2.entry?.map((e) => e.resource?.id)).toEqual([second.id, third.id]);
    expect((await search('/fhir/Observation', { _lastUpdated: 'gt2100-01-01' })).total).toBe(0);
    expect((await search('/fhir/Observation', { _lastUpdated: 'ge2020-01-01' })).total).toBe(3);
    const bad = await service.http.get('/fhir/Observation').query({ date: 'ge2024-13-45' }).expect(400);
    expect(bad.body.resourceType).toBe('OperationOutcome');
  });

  it('pages with next links that carry the search, _summary=count and _elements', async () => {
    const page1 = await search('/fhir/Observation', { code: 'global', _count: '2', _sort: 'date' });
    expect(page1.entry).toHaveLength(2);
    const next = new URL(page1.link?.find((l) => l.relation === 'next')?.url as string);
    expect(next.searchParams.get('code')).toBe('global');
    const page2 = await search(next.pathname, Object.fromEntries(next.searchParams));
    expect(page2.entry?.map((e) => e.resource?.id)).toEqual([observations[1].id]);
    const counted = await search('/fhir/Observation', { patient: 'search-a', _summary: 'count' });
    expect(counted).toMatchObject({ total: 2 });
    expect(counted.entry).toBeUndefined();
    const subset = await search('/fhir/Observation', { patient: 'search-b', _elements: 'status,valueInteger' });
    const resource = subset.entry?.[0].resource as fhir4.Observation;
    expect(Object.keys(resource).sort()).toEqual(['code', 'id', 'meta', 'resourceType', 'status', 'valueInteger']);
    expect(resource.meta?.tag?.map((t) => t.code)).toContain('SUBSETTED');
  });

  it('follows _include and _revinclude', async () => {
    const bundle = await search('/fhir/Observation', {
      patient: 'search-b',
      _include: 'Observation:device',
      _revinclude: 'Provenance:target',
    });
    const included = ids(bundle, 'include');
    expect(included).toContain(observations[2].device?.reference);
    expect(included.some((id) => id.startsWith('Provenance/'))).toBe(true);
    const withStudy = await service.http.get(`/fhir/Observation?patient=search-b&_include=Observation:derived-from&_revinclude=DiagnosticReport:result`).expect(200);
    const more = ids(withStudy.body as fhir4.Bundle, 'include');
    expect(more.some((id) => id.startsWith('ImagingStudy/'))).toBe(true);
    expect(more.some((id) => id.startsWith('DiagnosticReport/'))).toBe(true);
  });

  it('answers POST _search with a form body like the GET', async () => {
    const posted = await service.http.post('/fhir/Observation/_search').type('form').send('patient=Patient%2Fsearch-a&status=final').expect(200);
    await expectValidR4(posted.body);
    expect(ids(posted.body as fhir4.Bundle)).toEqual([`Observation/${observations[1].id}`]);
    await service.http.post('/fhir/Observation/_search').set('Content-Type', 'application/fhir+json').send({}).expect(415);
  });

  it('searches DiagnosticReport, Task, ImagingStudy, Provenance, Media and Subscription by their declared parameters', async () => {
    const [first] = observations;
    const reports = await search('/fhir/DiagnosticReport', { patient: 'search-a', result: `Observation/${first.id}`, status: 'preliminary' });
    expect(reports.total).toBe(1);
    expect(((reports.entry?.[0].resource as fhir4.DiagnosticReport).result ?? [])[0].reference).toBe(`Observation/${first.id}`);
    expect((await search('/fhir/DiagnosticReport', { patient: 'search-a', date: 'ge2024-05-02' })).total).toBe(1);
    const study = first.derivedFrom?.find((d) => d.reference?.startsWith('ImagingStudy/'))?.reference as string;
    const tasks = await search('/fhir/Task', { status: 'completed', focus: study });
    expect(tasks.total).toBe(1);
    expect((await search('/fhir/Task', { patient: 'search-a', status: 'completed' })).total).toBe(2);
    expect((await search('/fhir/Task', { status: 'failed' })).total).toBe(0);
    expect((await search('/fhir/ImagingStudy', { patient: 'Patient/search-a' })).total).toBe(2);
    const provenance = await search('/fhir/Provenance', { target: `Observation/${first.id}`, agent: first.device?.reference as string });
    expect(provenance.total).toBe(1);
    expect((await search('/fhir/Media', { patient: 'search-a' })).resourceType).toBe('Bundle');
    expect((await search('/fhir/Subscription', { status: 'active' })).total).toBe(0);
    await service.http.get('/fhir/Banana').expect(404);
  });
});
