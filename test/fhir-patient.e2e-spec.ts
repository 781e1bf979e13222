import { expectValidR4 } from '@brixia/fhir/testing';
import { makeDicomFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, uploadRadiograph, type TestService } from './support/service';

/** Every result's subject resolves: uploads create a local Patient, searchable and with its compartment. */
describe('FHIR Patient references (PostgreSQL, real model)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('fhir_patient_e2e') });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('creates a Patient from DICOM PatientID and IssuerOfPatientID, searchable by identifier, with compartment search', async () => {
    const dicom = await makeDicomFixture({ patientId: 'PAT-77', issuerOfPatientId: 'HOSP-A', acquisitionDateTime: '20240801081500', width: 256, height: 256, seed: 51 });
    const uploaded = await service.http.post('/api/v1/studies').attach('file', dicom, { filename: 'cxr.dcm', contentType: 'application/dicom' }).expect(201);
    const observation = uploaded.body as fhir4.Observation;
    expect(observation.subject?.reference).toBe('Patient/PAT-77');
    const patient = await service.http.get(`/fhir/${observation.subject?.reference}`).expect(200);
    await expectValidR4(patient.body);
    const identifier = (patient.body as fhir4.Patient).identifier?.[0] as fhir4.Identifier;
    expect(identifier).toMatchObject({ value: 'PAT-77', assigner: { display: 'HOSP-A' } });
    expect(identifier.system).toMatch(/dicom-issuer\/HOSP-A$/);
    expect(patient.headers['etag']).toBe('W/"1"');
    const byIdentifier = await service.http.get('/fhir/Patient').query({ identifier: `${identifier.system}|PAT-77` }).expect(200);
    expect(byIdentifier.body.entry.map((e: fhir4.BundleEntry) => e.resource?.id)).toEqual(['PAT-77']);
    expect((await service.http.get('/fhir/Patient').query({ identifier: `${identifier.system}|PAT-78` }).expect(200)).body.total).toBe(0);
    for (const type of ['Observation', 'DiagnosticReport', 'Task', 'ImagingStudy']) {
      const compartment = await service.http.get(`/fhir/Patient/PAT-77/${type}`).expect(200);
      await expectValidR4(compartment.body);
      expect([type, compartment.body.total]).toEqual([type, 1]);
    }
    expect((await service.http.get('/fhir/Patient/someone-else/Observation').expect(200)).body.total).toBe(0);
    await service.http.get('/fhir/Patient/PAT-77/Device').expect(404);
  });

  it('creates a Patient for an upload naming its patient, under the local identifier system', async () => {
    const uploaded = await uploadRadiograph(service, { patient: 'png-patient', acquired: '2024-08-02T08:00:00Z', seed: 52 });
    const patient = await service.http.get(`/fhir/${uploaded.body.subject.reference}`).expect(200);
    expect(patient.body.identifier[0]).toMatchObject({ value: 'png-patient' });
    expect(patient.body.identifier[0].system).toMatch(/\/identifiers\/patient-id$/);
    await service.http.get('/fhir/Patient/nobody').expect(404);
  });
});
