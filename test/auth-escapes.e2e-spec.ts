import { createTestDatabase } from '@brixia/persistence/testing';
import { FHIR_JSON, startService, type HttpClient, type TestService } from './support/service';
import { seedResults } from './support/monitoring-seed';

/**
 * Scope and compartment escapes: a patient-scoped token (patient esc-0) reaching patient esc-1, and
 * tokens without the right interaction writing. Each must end in 403, 404 or an empty result.
 */
describe('scope and patient-compartment escapes', () => {
  let service: TestService;
  let patientA: HttpClient;
  let readOnly: HttpClient;
  let noUser: HttpClient;
  let observationOnly: HttpClient;
  let patientScopeWithoutPatient: HttpClient;
  let v1Read: HttpClient;
  const other = 'obs-esc-1-0';

  const gql = async (client: HttpClient, query: string): Promise<{ data?: Record<string, unknown>; errors?: Array<{ extensions: { code: string } }> }> => (await client.post('/graphql').send({ query })).body;
  const code = (response: { body: { issue?: Array<{ details?: { text?: string } }> } }): string | undefined => response.body.issue?.[0]?.details?.text;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('auth_escapes') });
    const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
    await seedResults(stores, { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity, patients: 2, studiesPerPatient: 2, patientPrefix: 'esc', withObservations: true });
    await service.runtime.monitoring.service.refreshStale();
    await stores.scoring.saveResource({ resourceType: 'Binary', id: 'bin-esc-1', contentType: 'image/png', securityContext: { reference: 'Patient/esc-1' }, data: Buffer.from('png').toString('base64') });
    await stores.scoring.saveResource({ resourceType: 'Binary', id: 'bin-esc-0', contentType: 'image/png', securityContext: { reference: 'Patient/esc-0' }, data: Buffer.from('png').toString('base64') });
    patientA = await service.as({ scope: 'patient/*.rs', patient: 'esc-0', fhirUser: null });
    readOnly = await service.as({ scope: 'system/*.rs user/*.rs' });
    noUser = await service.as({ scope: 'system/*.cruds', fhirUser: null });
    observationOnly = await service.as({ scope: 'system/Observation.rs' });
    patientScopeWithoutPatient = await service.as({ scope: 'patient/*.rs', fhirUser: null });
    v1Read = await service.as({ scope: 'user/Observation.read' });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('lets the patient token see its own patient (control)', async () => {
    await patientA.get('/fhir/Observation/obs-esc-0-0').expect(200);
    const own = await patientA.get('/fhir/Observation').expect(200);
    expect((own.body as fhir4.Bundle).total).toBe(2);
    await patientA.get('/fhir/Binary/bin-esc-0').set('Accept', FHIR_JSON).expect(200);
    await patientA.get('/api/v1/patients/esc-0/timeline').expect(200);
    const list = await gql(patientA, '{ patients(first: 50) { edges { node { id } } } }');
    expect(list.data).toEqual({ patients: { edges: [{ node: { id: 'esc-0' } }] } });
  });

  it('hides another patient from a patient token: reads 404, searches and lists empty', async () => {
    expect(code(await patientA.get(`/fhir/Observation/${other}`).expect(404))).toBe('RESOURCE.NOT_FOUND');
    expect((await patientA.get('/fhir/Observation').query({ subject: 'Patient/esc-1' }).expect(200)).body.total).toBe(0);
    expect((await patientA.get('/fhir/Observation').query({ patient: 'esc-1' }).expect(200)).body.total).toBe(0);
    expect((await patientA.get('/fhir/Observation/$lastn').query({ patient: 'Patient/esc-1' }).expect(200)).body.total).toBe(0);
    await patientA.get('/fhir/Binary/bin-esc-1').expect(404);
    await patientA.get('/fhir/Binary/bin-esc-1').set('Accept', FHIR_JSON).expect(404);
    await patientA.get('/api/v1/patients/esc-1/timeline').expect(404);
    await patientA.get(`/api/v1/results/${other}/delivery`).expect(404);
    expect((await gql(patientA, '{ patient(id: "esc-1") { id } }')).errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
    expect((await gql(patientA, `{ assessment(observationId: "${other}") { observationId } }`)).errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
    expect((await gql(patientA, '{ patients(first: 50, filter: { minLatestScore: 0 }) { edges { node { id } } } }')).data).toEqual({ patients: { edges: [{ node: { id: 'esc-0' } }] } });
  });

  it("pages a patient token's searches and histories in full: every page holds _count entries of its own patient, the total counts only those", async () => {
    const ownVersions = async (type: string): Promise<string[]> => {
      const all = (await service.http.get(`/fhir/${type}/_history`).query({ _count: 100 }).expect(200)).body as fhir4.Bundle;
      return (all.entry ?? []).filter((entry) => (entry.resource as fhir4.Observation).subject?.reference === 'Patient/esc-0').map((entry) => `${entry.resource?.id}/${entry.resource?.meta?.versionId}`);
    };
    const walk = async (path: string, query: Record<string, string | number>): Promise<{ totals: number[]; sizes: number[]; seen: string[] }> => {
      const pages = { totals: [] as number[], sizes: [] as number[], seen: [] as string[] };
      let next: string | undefined = `${path}?${new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, String(value)])).toString()}`;
      while (next && pages.sizes.length < 20) {
        const page = (await patientA.get(next).expect(200)).body as fhir4.Bundle;
        pages.totals.push(page.total as number);
        pages.sizes.push(page.entry?.length ?? 0);
        pages.seen.push(...(page.entry ?? []).map((entry) => `${entry.resource?.id}/${entry.resource?.meta?.versionId}`));
        const link = page.link?.find((candidate) => candidate.relation === 'next')?.url;
        next = link ? `${new URL(link).pathname}${new URL(link).search}` : undefined;
      }
      return pages;
    };
    const expected = await ownVersions('Observation');
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const history = await walk('/fhir/Observation/_history', { _count: 1 });
    expect(history.sizes).toEqual(expected.map(() => 1));
    expect(new Set(history.totals)).toEqual(new Set([expected.length]));
    expect(history.seen.sort()).toEqual([...expected].sort());
    const searched = await walk('/fhir/Observation', { _count: 1 });
    expect(searched.sizes).toEqual([1, 1]);
    expect(searched.totals).toEqual([2, 2]);
    // Another patient's resource has no history for this token, and Provenance (naming no patient) none at all.
    expect(code(await patientA.get(`/fhir/Observation/${other}/_history`).expect(404))).toBe('RESOURCE.NOT_FOUND');
    expect((await patientA.get('/fhir/Provenance/_history').expect(200)).body.total).toBe(0);
  });

  it('refuses writes and cross-patient operations to a patient token', async () => {
    expect((await gql(patientA, `mutation { reviewAssessment(input: { observationId: "obs-esc-0-0", action: CONFIRM }) { versionId } }`)).errors?.[0].extensions.code).toBe('AUTH.SCOPE_INSUFFICIENT');
    await patientA.post('/api/v1/studies').field('patient', 'esc-1').attach('file', Buffer.from('x'), 'x.png').expect(403);
    await patientA.get('/fhir/Subscription/any').expect(403);
  });

  it('refuses writes to read-only and user-less tokens', async () => {
    const review = `mutation { reviewAssessment(input: { observationId: "obs-esc-0-1", action: CONFIRM, practitionerId: "anyone" }) { versionId } }`;
    expect((await gql(readOnly, review)).errors?.[0].extensions.code).toBe('AUTH.SCOPE_INSUFFICIENT');
    expect((await gql(v1Read, review)).errors?.[0].extensions.code).toBe('AUTH.SCOPE_INSUFFICIENT');
    expect((await gql(noUser, review)).errors?.[0].extensions.code).toBe('AUTH.USER_REQUIRED');
    expect(code(await readOnly.post('/api/v1/studies').field('patient', 'esc-0').attach('file', Buffer.from('x'), 'x.png').expect(403))).toBe('AUTH.SCOPE_INSUFFICIENT');
    await readOnly.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send({ resourceType: 'Parameters' }).expect(403);
    await readOnly.post('/fhir/ImagingStudy/any/$brixia-score').expect(403);
    expect((await gql(readOnly, 'mutation { requestAssessment(imagingStudyId: "any") { taskId } }')).errors?.[0].extensions.code).toBe('AUTH.SCOPE_INSUFFICIENT');
    expect((await gql(readOnly, 'mutation { explainByOcclusion(taskId: "any") { images } }')).errors?.[0].extensions.code).toBe('AUTH.SCOPE_INSUFFICIENT');
    await readOnly.post('/fhir/Subscription').set('Content-Type', FHIR_JSON).send({ resourceType: 'Subscription' }).expect(403);
    await readOnly.delete('/fhir/Subscription/any').expect(403);
    const refused = await readOnly.delete('/fhir/Subscription/any');
    expect(String(refused.headers['www-authenticate'])).toMatch(/error="insufficient_scope"/);
  });

  it('limits a token to the resource types its scopes name', async () => {
    await observationOnly.get('/fhir/Observation/obs-esc-0-0').expect(200);
    await observationOnly.get('/fhir/Binary/bin-esc-0').expect(403);
    await observationOnly.get('/fhir/Task/any').expect(403);
    await observationOnly.get('/fhir/DiagnosticReport/any').expect(403);
    await observationOnly.get('/api/v1/images/any/radiograph.png').expect(403);
    // patient/ scopes grant nothing without a patient in context; scopes with a query are not grants.
    await patientScopeWithoutPatient.get('/fhir/Observation/obs-esc-0-0').expect(403);
    const narrowed = await service.as({ scope: 'system/Observation.rs?category=imaging' });
    await narrowed.get('/fhir/Observation/obs-esc-0-0').expect(403);
  });

  it('records the token user as the reviewer, whatever practitionerId the body names', async () => {
    const clinician = await service.as({ scope: 'user/Observation.rus', fhirUser: 'Practitioner/dr-bianchi' });
    const reviewed = await gql(clinician, `mutation { reviewAssessment(input: { observationId: "obs-esc-0-1", action: CONFIRM, practitionerId: "anyone" }) { versionId provenance } }`);
    expect(reviewed.errors).toBeUndefined();
    const provenance = (reviewed.data?.['reviewAssessment'] as { provenance: fhir4.Provenance }).provenance;
    expect(provenance.agent[0].who?.reference).toBe('Practitioner/dr-bianchi');
  });
});
