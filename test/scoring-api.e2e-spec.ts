import { expectValidR4 } from '@brixia/fhir/testing';
import { makeDicomFixture, makeRasterFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { FHIR_JSON, startService, uploadRadiograph, waitForTask, type TestService } from './support/service';

const ZONE_CODES = ['zone-A', 'zone-B', 'zone-C', 'zone-D', 'zone-E', 'zone-F'];

describe('scoring service on PostgreSQL with the real model', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('brixia_e2e'), BRIXIA_MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) });
  });

  afterAll(async () => {
    await service?.close();
  });

  /** Uploads a generated PNG and checks the status; resolves to the response. */
  const uploadPng = async (seed: number, patient: string, acquired: string, status: number, prefer?: string) =>
    uploadRadiograph(service, { patient, acquired, seed, prefer }, status);

  it('scores an uploaded PNG synchronously and publishes a valid, AI-labelled Observation', async () => {
    const response = await uploadPng(1, 'patient-sync', '2024-03-01T10:00:00Z', 201);
    expect(response.headers['content-type']).toContain(FHIR_JSON);
    const observation = response.body as fhir4.Observation;
    await expectValidR4(observation);
    expect(observation.meta?.security?.[0].code).toBe('AIAST');
    expect(observation.status).toBe('preliminary');
    expect(observation.subject?.reference).toBe('Patient/patient-sync');
    expect(observation.effectiveDateTime).toBe('2024-03-01T10:00:00Z');
    expect(observation.component?.map((c) => c.code.coding?.[0].code)).toEqual(ZONE_CODES);
    const zoneSum = (observation.component ?? []).reduce((sum, c) => sum + (c.valueInteger ?? 0), 0);
    expect(observation.valueInteger).toBe(zoneSum);
    expect(observation.device?.reference).toMatch(/^Device\//);

    const device = await service.http.get(`/fhir/${observation.device?.reference}`).expect(200);
    await expectValidR4(device.body);
    expect(JSON.stringify(device.body.version)).toContain(service.runtime.scoring.model.identity.sha256);

    const read = await service.http.get(`/fhir/Observation/${observation.id}`).expect(200);
    expect(read.body.valueInteger).toBe(observation.valueInteger);
    const taskUrl = String(response.headers['content-location']);
    const task = await service.http.get(new URL(taskUrl).pathname).expect(200);
    await expectValidR4(task.body);
    expect(task.body.status).toBe('completed');
  });

  it('returns the existing result when the same image is resubmitted for the same patient with the same model', async () => {
    const first = await uploadPng(2, 'patient-dup', '2024-03-02T10:00:00Z', 201);
    const again = await uploadPng(2, 'patient-dup', '2024-03-02T10:00:00Z', 200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['content-location']).toBe(first.headers['content-location']);
  });

  it('follows the async pattern: 202 + Content-Location of a Task that completes', async () => {
    const accepted = await uploadPng(3, 'patient-async', '2024-03-03T10:00:00Z', 202, 'respond-async');
    const location = String(accepted.headers['content-location']);
    expect(location).toMatch(/\/fhir\/Task\/[0-9a-f-]+$/);
    const task = await waitForTask(service, new URL(location).pathname);
    expect(task.status).toBe('completed');
    const observationRef = task.output?.find((o) => o.valueReference?.reference?.startsWith('Observation/'))?.valueReference?.reference;
    expect(observationRef).toBeDefined();
    await service.http.get(`/fhir/${observationRef}`).expect(200);
  });

  it.each([
    ['explicit-le', 'MONOCHROME2'],
    ['implicit-le', 'MONOCHROME1'],
    ['rle', 'MONOCHROME2'],
    ['jpeg-baseline', 'MONOCHROME2'],
    ['jpeg-lossless', 'MONOCHROME1'],
    ['jpeg-ls-lossless', 'MONOCHROME2'],
    ['jpeg2000-lossless', 'MONOCHROME2'],
  ] as const)('scores a %s %s DICOM upload, patient and time from the header', async (transferSyntax, photometric) => {
    // One study per fixture (the seed gives the UIDs): a further instance of a study would be skipped (one timeline point per study).
    const seed = 200 + ['explicit-le', 'implicit-le', 'rle', 'jpeg-baseline', 'jpeg-lossless', 'jpeg-ls-lossless', 'jpeg2000-lossless'].indexOf(transferSyntax);
    const dicom = await makeDicomFixture({ transferSyntax, photometric, patientId: 'patient-dicom', acquisitionDateTime: '20240305081500', timezoneOffset: '+0100', width: 320, height: 320, seed });
    const response = await service.http.post('/api/v1/studies').attach('file', dicom, { filename: 'cxr.dcm', contentType: 'application/dicom' }).expect(201);
    expect(response.body.subject.reference).toBe('Patient/patient-dicom');
    expect(response.body.effectiveDateTime).toBe('2024-03-05T08:15:00+01:00');
    expect(response.body.derivedFrom?.length).toBeGreaterThan(0);
  });

  it('refuses a lateral view with 422 and a clear OperationOutcome', async () => {
    const dicom = await makeDicomFixture({ viewPosition: 'LL', patientId: 'patient-lat', width: 128, height: 128 });
    const response = await service.http.post('/api/v1/studies').attach('file', dicom, { filename: 'lat.dcm' }).expect(422);
    await expectValidR4(response.body);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].diagnostics).toMatch(/lateral|frontal/i);
  });

  it('records a refused image as a failed Task in async mode', async () => {
    const accepted = await service.http
      .post('/api/v1/studies')
      .set('Prefer', 'respond-async')
      .attach('file', Buffer.from('this is not an image at all'), { filename: 'notes.txt' })
      .field('patient', 'patient-bad')
      .expect(202);
    const task = await waitForTask(service, new URL(String(accepted.headers['content-location'])).pathname);
    expect(task.status).toBe('failed');
    expect(task.statusReason?.text).toMatch(/DICOM|PNG|JPEG/);
  });

  it.each([
    { name: 'random bytes', bytes: Buffer.from('garbage-garbage-garbage'), status: 422 },
    { name: 'a truncated DICOM file', bytes: Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.from([0x02, 0x00, 0x10, 0x00, 0x55, 0x49, 0x40])]), status: 422 },
  ])('answers $name with $status', async ({ bytes, status }) => {
    const response = await service.http.post('/api/v1/studies').attach('file', bytes, { filename: 'x.dcm' }).field('patient', 'p-x').field('acquired', '2024-01-01T00:00:00Z').expect(status);
    expect(response.body.resourceType).toBe('OperationOutcome');
  });

  it('answers client mistakes with 4xx OperationOutcomes, never 500', async () => {
    const malformed = await service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send('{"resourceType": "Parameters",').expect(400);
    expect(malformed.body.resourceType).toBe('OperationOutcome');
    expect(malformed.headers['x-request-id']).toBeDefined();
    expect(malformed.body.issue[0].diagnostics).toContain(`request id ${malformed.headers['x-request-id']}`);
    await service.http.get('/fhir/Observation').query({ subject: 'Patient/p1', date: 'ge2024-13-45' }).expect(400);
    await service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send({ resourceType: 'Patient' }).expect(400);
    await service.http.get('/fhir/Observation/does-not-exist').expect(404);
    await service.http.get('/fhir/Task/does-not-exist').expect(404);
    await service.http.post('/fhir/ImagingStudy/unknown-study/$brixia-score').expect(404);
    await service.http.post('/api/v1/studies').field('patient', 'p1').expect(400);
    const png = await makeRasterFixture({ format: 'png', width: 64, height: 64, seed: 9 });
    await service.http.post('/api/v1/studies').attach('file', png, { filename: 'a.png' }).field('patient', 'p1').expect(400);
    await service.http.post('/api/v1/studies').attach('file', png, { filename: 'a.png' }).field('patient', 'p1').field('acquired', 'yesterday').expect(400);
    const tooLarge = await service.http.post('/api/v1/studies').attach('file', Buffer.alloc(5 * 1024 * 1024, 1), { filename: 'big.dcm' }).field('patient', 'p1').expect(413);
    expect(tooLarge.body.resourceType).toBe('OperationOutcome');
  });

  it('answers ids PostgreSQL cannot store (NUL) and out-of-range paging without a 500', async () => {
    // A NUL byte in a text parameter is rejected by PostgreSQL ("invalid byte sequence"), which used to surface as a 500.
    for (const path of ['/fhir/Observation/a%00', '/fhir/Task/a%00', '/fhir/ImagingStudy/a%00', '/fhir/Device/a%00', '/fhir/Media/a%00', '/fhir/Binary/a%00', '/api/v1/results/a%00/delivery']) {
      const response = await service.http.get(path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.body.resourceType).toBe('OperationOutcome');
    }
    await service.http.post('/fhir/ImagingStudy/a%00/$brixia-score').expect(404);
    for (const path of ['/fhir/Observation?subject=Patient/a%00', '/fhir/Observation/$lastn?patient=a%00']) {
      const search = await service.http.get(path).expect(200);
      expect(search.body).toMatchObject({ resourceType: 'Bundle', total: 0 });
    }
    // 1e20 is an "integer" to JavaScript but overflows the bigint OFFSET.
    await service.http.get('/fhir/Observation?subject=Patient/p1&_offset=99999999999999999999').expect(400);
  });

  it('answers body-parser refusals (over-long JSON, unknown charset, broken gzip) with 4xx OperationOutcomes, never 500', async () => {
    const score = (): ReturnType<typeof service.http.post> => service.http.post('/fhir/ImagingStudy/$brixia-score');
    const tooLong = await score().set('Content-Type', FHIR_JSON).send(`{"resourceType":"Parameters","x":"${'a'.repeat(service.runtime.config.limits.jsonBytes)}"}`).expect(413);
    expect(tooLong.body.issue[0].details.text).toBe('REQUEST.TOO_LARGE');
    const charset = await score().set('Content-Type', 'application/json; charset=foo').send('{}').expect(415);
    expect(charset.body.resourceType).toBe('OperationOutcome');
    const gzip = await score().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('not gzip').expect(400);
    expect(gzip.body.resourceType).toBe('OperationOutcome');
  });

  it('scores a stored ImagingStudy by id and by Parameters reference, idempotently', async () => {
    const first = await uploadPng(4, 'patient-op', '2024-03-04T10:00:00Z', 201);
    const studyRef = (first.body as fhir4.Observation).derivedFrom?.find((d) => d.reference?.startsWith('ImagingStudy/'))?.reference as string;
    const byId = await service.http.post(`/fhir/${studyRef}/$brixia-score`).expect(200);
    expect(byId.body.id).toBe(first.body.id);
    const parameters = { resourceType: 'Parameters', parameter: [{ name: 'imagingStudy', valueReference: { reference: studyRef } }] };
    const byRef = await service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send(parameters).expect(200);
    expect(byRef.body.id).toBe(first.body.id);
    const study = await service.http.get(`/fhir/${studyRef}`).expect(200);
    await expectValidR4(study.body);
  });

  it('scores an inline ImagingStudy whose StudyInstanceUID this service holds', async () => {
    const studyUid = '1.2.826.0.1.3680043.10.1234.42';
    const dicom = await makeDicomFixture({ patientId: 'patient-inline', studyInstanceUid: studyUid, acquisitionDateTime: '20240310120000', width: 256, height: 256, seed: 42 });
    const uploaded = await service.http.post('/api/v1/studies').attach('file', dicom, { filename: 'cxr.dcm' }).expect(201);
    const parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'imagingStudy',
          resource: { resourceType: 'ImagingStudy', status: 'available', subject: { reference: 'Patient/patient-inline' }, identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${studyUid}` }] },
        },
      ],
    };
    const scored = await service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send(parameters).expect(200);
    expect(scored.body.id).toBe(uploaded.body.id);
    const unknown = { ...parameters, parameter: [{ name: 'imagingStudy', resource: { ...parameters.parameter[0].resource, identifier: [{ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3.999' }] } }] };
    const refused = await service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send(unknown);
    expect([404, 422]).toContain(refused.status);
    expect(refused.body.resourceType).toBe('OperationOutcome');
  });

  it('serves a patient timeline ordered by acquisition time, and the FHIR search with paging', async () => {
    await uploadPng(11, 'patient-series', '2024-04-03T08:00:00Z', 201);
    await uploadPng(12, 'patient-series', '2024-04-01T08:00:00Z', 201);
    await uploadPng(13, 'patient-series', '2024-04-02T08:00:00Z', 201);
    const timeline = await service.http.get('/api/v1/patients/patient-series/timeline').expect(200);
    const points = timeline.body.points as Array<{ acquiredAt: string; global: number; deltaGlobal: number | null }>;
    expect(points.map((p) => p.acquiredAt)).toEqual(['2024-04-01T08:00:00.000Z', '2024-04-02T08:00:00.000Z', '2024-04-03T08:00:00.000Z']);
    expect(points[0].deltaGlobal).toBeNull();
    expect(points[1].deltaGlobal).toBe(points[1].global - points[0].global);

    const page1 = await service.http.get('/fhir/Observation').query({ subject: 'Patient/patient-series', _sort: '-date', _count: 2 }).expect(200);
    await expectValidR4(page1.body);
    expect(page1.body.type).toBe('searchset');
    expect(page1.body.total).toBe(3);
    expect(page1.body.entry).toHaveLength(2);
    expect(page1.body.entry[0].resource.effectiveDateTime).toBe('2024-04-03T08:00:00Z');
    const next = page1.body.link.find((l: fhir4.BundleLink) => l.relation === 'next').url as string;
    const page2 = await service.http.get(new URL(next).pathname + new URL(next).search).expect(200);
    expect(page2.body.entry).toHaveLength(1);
    expect(page2.body.entry[0].resource.effectiveDateTime).toBe('2024-04-01T08:00:00Z');

    const since = await service.http.get('/fhir/Observation').query({ subject: 'Patient/patient-series', date: 'ge2024-04-02' }).expect(200);
    expect(since.body.total).toBe(2);
    const oneDay = await service.http.get('/fhir/Observation').query('subject=Patient/patient-series&date=ge2024-04-01&date=lt2024-04-02').expect(200);
    expect(oneDay.body.entry.map((e: fhir4.BundleEntry) => (e.resource as fhir4.Observation).effectiveDateTime)).toEqual(['2024-04-01T08:00:00Z']);
    await service.http.get('/fhir/Observation').query({ subject: 'Patient/patient-series', date: 'yesterday' }).expect(400);
  });

  it('publishes a CapabilityStatement and the Brixia CodeSystem', async () => {
    const metadata = await service.http.get('/fhir/metadata').expect(200);
    await expectValidR4(metadata.body);
    expect(metadata.body.resourceType).toBe('CapabilityStatement');
    const codeSystem = await service.http.get('/fhir/CodeSystem/brixia-score').expect(200);
    await expectValidR4(codeSystem.body);
  });
});
