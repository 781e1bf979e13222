import { startFhirPeer, type FhirPeer } from '@brixia/ehr/testing';
import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { scoreReference, seedExternalStudy } from './support/ehr-fixtures';
import { startOrthanc, type OrthancServer } from './support/orthanc';
import { explanationImagesRendered, FHIR_JSON, startService, waitForTask, type HttpClient, type TestService } from './support/service';

/**
 * External ImagingStudy references: the study, its Patient and Endpoint come from a real FHIR server
 * (Medplum's router), the pixels from a real Orthanc over WADO-RS; bad references are refused clearly.
 */
describe('EHR references and DICOMweb retrieval (Orthanc + FHIR peer)', () => {
  let ehr: FhirPeer;
  let pacs: OrthancServer;
  let service: TestService;

  beforeAll(async () => {
    [ehr, pacs] = await Promise.all([startFhirPeer(), startOrthanc()]);
    service = await startService({
      DATABASE_URL: await createTestDatabase('brixia_ehr_pacs'),
      BRIXIA_EHR_BASE_URL: ehr.baseUrl,
      BRIXIA_PACS_WADO_RS_URL: pacs.dicomWebUrl,
      BRIXIA_PACS_TIMEOUT_MS: '30000', // Orthanc answers in ms; a stopped PACS refuses connections
      BRIXIA_PACS_MAX_RESPONSE_BYTES: String(2 * 1024 * 1024),
    });
  });

  afterAll(async () => {
    await service?.close();
    await Promise.all([ehr?.close(), pacs?.close()]);
  });

  const score = (reference: string, prefer?: string) => {
    const req = service.http.post('/fhir/ImagingStudy/$brixia-score').set('Content-Type', FHIR_JSON).send(scoreReference(reference));
    return prefer ? req.set('Prefer', prefer) : req;
  };

  it('scores an absolute reference: pixels over WADO-RS, subject = the EHR Patient', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 1);
    const response = await score(seeded.studyUrl).expect(201);
    const observation = response.body as fhir4.Observation;
    await expectValidR4(observation);
    // The EHR's Patient, by its absolute URL there (it resolves) plus its identifier; no dangling local Patient/<id>.
    expect(observation.subject).toEqual({ reference: `${ehr.baseUrl}/Patient/${seeded.patientId}`, type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN1' } });
    const study = observation.derivedFrom?.find((d) => d.reference?.startsWith('ImagingStudy/'))?.reference as string;
    expect((await service.http.get(`/fhir/${study}`).expect(200)).body.subject).toEqual(observation.subject);
    const report = (await service.http.get('/fhir/DiagnosticReport').query({ result: `Observation/${observation.id}` }).expect(200)).body as fhir4.Bundle;
    expect((report.entry?.[0]?.resource as fhir4.DiagnosticReport).subject).toEqual(observation.subject);
    const byPatient = (await service.http.get('/fhir/Observation').query({ patient: `${ehr.baseUrl}/Patient/${seeded.patientId}` }).expect(200)).body as fhir4.Bundle;
    expect(byPatient.entry?.map((entry) => entry.resource?.id)).toContain(observation.id);
    // $lastn takes the same absolute reference, by GET and by POST.
    const lastn = (await service.http.get('/fhir/Observation/$lastn').query({ patient: `${ehr.baseUrl}/Patient/${seeded.patientId}` }).expect(200)).body as fhir4.Bundle;
    expect(lastn.entry?.map((entry) => entry.resource?.id)).toEqual([observation.id]);
    const posted = { resourceType: 'Parameters', parameter: [{ name: 'patient', valueString: `${ehr.baseUrl}/Patient/${seeded.patientId}` }] };
    const lastnByPost = (await service.http.post('/fhir/Observation/$lastn').set('Content-Type', 'application/fhir+json').send(posted).expect(200)).body as fhir4.Bundle;
    expect(lastnByPost.entry?.map((entry) => entry.resource?.id)).toEqual([observation.id]);
    expect(((await service.http.get('/fhir/Observation/$lastn').query({ patient: `https://elsewhere.example.org/fhir/Patient/${seeded.patientId}` }).expect(200)).body as fhir4.Bundle).total).toBe(0);
    expect(observation.effectiveDateTime).toBe('2024-03-01T10:15:00Z');
    expect(JSON.stringify(observation.derivedFrom)).toContain(seeded.studyInstanceUid);
    expect(ehr.requests.some((r) => r.url === `/fhir/ImagingStudy/${seeded.studyId}`)).toBe(true);
    const again = await score(seeded.studyUrl).expect(200);
    expect(again.body.id).toBe(observation.id);
  });

  it("names the EHR's Patient on the Task and the explanation Media and Binary; that patient's token reads them, another's gets 404", async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 7);
    const response = await score(seeded.studyUrl).expect(201);
    const observation = response.body as fhir4.Observation;
    const ehrPatient = { reference: `${ehr.baseUrl}/Patient/${seeded.patientId}`, type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN7' } };
    expect(observation.subject).toEqual(ehrPatient);
    const taskPath = new URL(String(response.headers['content-location'])).pathname;
    const task = (await service.http.get(taskPath).expect(200)).body as fhir4.Task;
    expect(task.for).toEqual(ehrPatient);
    await explanationImagesRendered(service, observation.id as string);

    // Searches by patient take the EHR's absolute URL as written; `Patient/<id>` names a Patient of this server, which this is not.
    const search = async (client: HttpClient, type: string, query: Record<string, string>): Promise<fhir4.Bundle> => (await client.get(`/fhir/${type}`).query(query).expect(200)).body as fhir4.Bundle;
    const tasks = await search(service.http, 'Task', { patient: ehrPatient.reference });
    expect(tasks.entry?.map((entry) => entry.resource?.id)).toEqual([task.id]);
    expect((await search(service.http, 'Task', { patient: `Patient/${seeded.patientId}` })).total).toBe(0);
    const media = (await search(service.http, 'Media', { patient: ehrPatient.reference, _count: '20' })).entry?.map((entry) => entry.resource as fhir4.Media) ?? [];
    expect(media).toHaveLength(7);
    for (const item of media) expect(item.subject).toEqual(ehrPatient);
    const binaryPaths = media.map((item) => new URL(item.content.url as string).pathname);
    const binary = (await service.http.get(binaryPaths[0]).set('Accept', FHIR_JSON).expect(200)).body as fhir4.Binary;
    expect(binary.securityContext).toEqual(ehrPatient);

    // The patient compartment follows the reference: the EHR patient's own token reads all of it...
    const own = await service.as({ scope: 'patient/*.rs', patient: seeded.patientId, fhirUser: null });
    expect(((await own.get(taskPath).expect(200)).body as fhir4.Task).for).toEqual(ehrPatient);
    await own.get(`/fhir/Media/${media[0].id}`).expect(200);
    await own.get(binaryPaths[0]).set('Accept', FHIR_JSON).expect(200);
    await own.get(binaryPaths[0]).expect(200);
    expect((await search(own, 'Task', {})).entry?.map((entry) => entry.resource?.id)).toEqual([task.id]);
    expect((await search(own, 'Task', { patient: ehrPatient.reference })).total).toBe(1);
    expect((await search(own, 'Media', { _count: '20' })).total).toBe(7);
    const assessment = `{ assessment(observationId: "${observation.id}") { patientId task } }`;
    const read = (await own.post('/graphql').send({ query: assessment }).expect(200)).body as { data?: { assessment: { patientId: string; task: fhir4.Task } } };
    expect(read.data?.assessment.task.for).toEqual(ehrPatient);
    // ...while another patient's token learns nothing of it.
    const other = await service.as({ scope: 'patient/*.rs', patient: 'someone-else', fhirUser: null });
    await other.get(taskPath).expect(404);
    await other.get(`/fhir/Media/${media[0].id}`).expect(404);
    await other.get(binaryPaths[0]).set('Accept', FHIR_JSON).expect(404);
    await other.get(binaryPaths[0]).expect(404);
    expect((await search(other, 'Task', {})).total).toBe(0);
    expect((await search(other, 'Media', { patient: ehrPatient.reference })).total).toBe(0);
    const refused = (await other.post('/graphql').send({ query: assessment }).expect(200)).body as { errors?: Array<{ extensions: { code: string } }> };
    expect(refused.errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
  });

  it('scores an EHR-relative reference whose study lists its series (series metadata path)', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 2, { listSeries: true, endpointAddress: null });
    const response = await score(`ImagingStudy/${seeded.studyId}`).expect(201);
    expect(response.body.subject.reference).toBe(`${ehr.baseUrl}/Patient/${seeded.patientId}`);
  });

  it.each([
    ['a host outside the allow-list', () => 'http://169.254.169.254/fhir/ImagingStudy/1', 400, 'UPSTREAM.NOT_ALLOWED'],
    ['a study the EHR does not hold', () => `${ehr.baseUrl}/ImagingStudy/does-not-exist`, 404, 'IMAGING.STUDY_NOT_FOUND'],
  ])('refuses %s with an OperationOutcome', async (_what, reference, status, code) => {
    const response = await score(reference()).expect(status);
    expect(response.headers['content-type']).toContain(FHIR_JSON);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].details.text).toBe(code);
  });

  it('refuses a reference to something that is not an ImagingStudy, and an endpoint outside the PACS allow-list', async () => {
    const patient = await ehr.seed<fhir4.Patient>({ resourceType: 'Patient' });
    const notAStudy = await score(`${ehr.baseUrl}/Patient/${patient.id}`).expect(400);
    expect(notAStudy.body.resourceType).toBe('OperationOutcome');
    const foreign = await seedExternalStudy(ehr, pacs, 3, { endpointAddress: 'http://10.0.0.1:8042/dicom-web' });
    const refused = await score(foreign.studyUrl).expect(400);
    expect(refused.body.issue[0].details.text).toBe('UPSTREAM.NOT_ALLOWED');
  });

  it('answers 401 from the EHR as a clear 502 OperationOutcome, not a crash', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 4);
    ehr.setOverride(() => ({ status: 401, body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }) }));
    try {
      const response = await score(seeded.studyUrl).expect(502);
      expect(response.body.issue[0].details.text).toBe('UPSTREAM.UNAUTHORIZED');
    } finally {
      ehr.setOverride(undefined);
    }
  });

  it('fails the Task with a clear reason when the only image is a lateral view', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 5, { viewPosition: 'LL' });
    const accepted = await score(seeded.studyUrl, 'respond-async').expect(202);
    const task = await waitForTask(service, new URL(String(accepted.headers['content-location'])).pathname);
    expect(task.status).toBe('failed');
    expect(JSON.stringify(task.statusReason ?? task.output)).toMatch(/frontal/i);
  });

  it('retries while the PACS is down, then fails the Task clearly; nothing hangs', async () => {
    const seeded = await seedExternalStudy(ehr, pacs, 6);
    await pacs.stop();
    try {
      const accepted = await score(seeded.studyUrl, 'respond-async').expect(202);
      // Nothing hangs: the Task ends within the bound (refused connections, one retry 1 s later: a few
      // seconds even on loaded cores; the bound is 120 s, not a speed assertion).
      const task = await waitForTask(service, new URL(String(accepted.headers['content-location'])).pathname, 120_000);
      expect(task.status).toBe('failed');
      expect(JSON.stringify(task)).toContain('UPSTREAM.UNAVAILABLE');
    } finally {
      await pacs.start();
    }
  });
});
