import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, uploadRadiograph, type TestService } from './support/service';

const REVIEW = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status } }`;

/** vread, history and conditional read: the preliminary AI version stays readable after a review. */
describe('FHIR versions (PostgreSQL, real model)', () => {
  let service: TestService;
  let observation: fhir4.Observation;
  let taskPath: string;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('fhir_versions_e2e') });
    const uploaded = await uploadRadiograph(service, { patient: 'versions-a', acquired: '2024-06-01T08:00:00Z', seed: 31 });
    observation = uploaded.body as fhir4.Observation;
    taskPath = new URL(String(uploaded.headers['content-location'])).pathname;
    const confirmed = await service.http.post('/graphql').send({ query: REVIEW, variables: { input: { observationId: observation.id, action: 'CONFIRM', practitionerId: 'dr-rossi' } } }).expect(200);
    expect(confirmed.body.data.reviewAssessment).toMatchObject({ versionId: 2, status: 'final' });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('reads every version of a reviewed Observation (vread) and lists them newest first (_history)', async () => {
    const v1 = await service.http.get(`/fhir/Observation/${observation.id}/_history/1`).expect(200);
    expect(v1.body).toMatchObject({ status: 'preliminary', meta: { versionId: '1' } });
    expect(v1.headers['etag']).toBe('W/"1"');
    await expectValidR4(v1.body);
    const v2 = await service.http.get(`/fhir/Observation/${observation.id}/_history/2`).expect(200);
    expect(v2.body).toMatchObject({ status: 'final', meta: { versionId: '2' } });
    await service.http.get(`/fhir/Observation/${observation.id}/_history/3`).expect(404);
    await service.http.get(`/fhir/Observation/${observation.id}/_history/x`).expect(404);
    const history = await service.http.get(`/fhir/Observation/${observation.id}/_history`).expect(200);
    await expectValidR4(history.body);
    expect(history.body).toMatchObject({ type: 'history', total: 2 });
    expect((history.body as fhir4.Bundle).entry?.map((e) => [e.resource?.meta?.versionId, e.request?.method])).toEqual([['2', 'PUT'], ['1', 'POST']]);
    const typeHistory = await service.http.get('/fhir/Observation/_history').query({ _count: 1 }).expect(200);
    await expectValidR4(typeHistory.body);
    expect(typeHistory.body.total).toBeGreaterThanOrEqual(2);
    expect(typeHistory.body.link.map((l: fhir4.BundleLink) => l.relation)).toContain('next');
    await service.http.get('/fhir/Observation/nope/_history').expect(404);
    const study = observation.derivedFrom?.find((d) => d.reference?.startsWith('ImagingStudy/'))?.reference as string;
    await service.http.get(`/fhir/${study}/_history/1`).expect(200);
  });

  it('versions Tasks: each state is a version with meta.versionId and lastUpdated, readable by vread', async () => {
    const task = await service.http.get(taskPath).expect(200);
    await expectValidR4(task.body);
    expect(task.body.status).toBe('completed');
    const current = Number(task.body.meta.versionId);
    expect(current).toBeGreaterThan(1);
    expect(task.body.meta.lastUpdated).toBeDefined();
    const first = await service.http.get(`${taskPath}/_history/1`).expect(200);
    await expectValidR4(first.body);
    expect(first.body.status).toBe('requested');
    const history = await service.http.get(`${taskPath}/_history`).expect(200);
    await expectValidR4(history.body);
    expect(history.body.total).toBe(current);
    expect(history.body.entry[0].resource.status).toBe('completed');
  });

  it('sends ETag W/"<versionId>" and Last-Modified, and answers conditional reads with 304', async () => {
    const path = `/fhir/Observation/${observation.id}`;
    const read = await service.http.get(path).expect(200);
    expect(read.headers['etag']).toBe('W/"2"');
    expect(new Date(String(read.headers['last-modified'])).getTime()).toBe(Math.floor(new Date(read.body.meta.lastUpdated).getTime() / 1000) * 1000);
    const notModified = await service.http.get(path).set('If-None-Match', 'W/"2"').expect(304);
    expect(notModified.text).toBe('');
    await service.http.get(path).set('If-None-Match', 'W/"1"').expect(200);
    await service.http.get(path).set('If-Modified-Since', String(read.headers['last-modified'])).expect(304);
    await service.http.get(path).set('If-Modified-Since', new Date(Date.UTC(2020, 0, 1)).toUTCString()).expect(200);
    await service.http.get(taskPath).set('If-None-Match', (await service.http.get(taskPath)).headers['etag']).expect(304);
    const device = await service.http.get(`/fhir/${observation.device?.reference}`).expect(200);
    expect(device.headers['etag']).toMatch(/^W\/"\d+"$/);
  });
});
