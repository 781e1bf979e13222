import { buildDiagnosticReport } from './diagnostic-report';
import { buildModelDevice } from './model-device';
import { buildProvenance } from './provenance';
import { forPublication, publicationIdentifierSystem } from './publication';
import { sampleFhirConfig, sampleModel, sampleScoring } from './testing/samples';

const report = buildDiagnosticReport(sampleFhirConfig, {
  id: 'dr-1', observationId: 'obs-1', scoring: sampleScoring, patientId: 'p1', imagingStudyId: 'study-1',
  effectiveDateTime: '2024-03-01T08:00:00Z', issued: '2024-03-01T08:05:00Z', model: sampleModel, status: 'preliminary',
});

describe('forPublication', () => {
  it('names Device and DiagnosticReport by a publication identifier whose value is our id', () => {
    const device = forPublication(sampleFhirConfig, buildModelDevice(sampleModel, sampleFhirConfig));
    expect(device.identifier?.at(-1)).toEqual({ system: 'https://brixia.example.org/fhir/identifiers/model-device', value: device.id });
    const published = forPublication(sampleFhirConfig, report);
    expect(published.identifier?.at(-1)).toEqual({ system: publicationIdentifierSystem(sampleFhirConfig, 'DiagnosticReport'), value: 'dr-1' });
    // Idempotent: a revision built from a stored report gets the same single identifier.
    expect(forPublication(sampleFhirConfig, published).identifier).toEqual(published.identifier);
  });

  it('leaves explanation images out of the report and other resources as they are, with a generated narrative', () => {
    const withMedia: fhir4.DiagnosticReport = { ...report, media: [{ comment: 'heat map', link: { reference: 'Media/m1' } }] };
    expect(forPublication(sampleFhirConfig, withMedia)).not.toHaveProperty('media');
    const provenance = buildProvenance(sampleFhirConfig, { id: 'prov-1', targets: ['Observation/obs-1'], recorded: '2024-03-01T08:05:00Z', model: sampleModel, activity: 'create' });
    const published = forPublication(sampleFhirConfig, provenance);
    expect({ ...published, text: undefined }).toEqual({ ...provenance, text: undefined });
    expect(published.text).toMatchObject({ status: 'generated', div: expect.stringContaining('Target: Observation/obs-1') });
  });
});
