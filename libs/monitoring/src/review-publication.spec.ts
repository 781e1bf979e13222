import { buildBrixiaObservation, buildDiagnosticReport, observationIdentifier, publicationIdentifierSystem } from '@brixia/fhir';
import { expectValidR4, sampleFhirConfig, sampleModel, sampleScoring } from '@brixia/fhir/testing';
import { planReview } from './review';
import { revisionPublication } from './review-publication';

const observation = buildBrixiaObservation(sampleFhirConfig, {
  id: 'obs-1', scoring: sampleScoring, model: sampleModel, patientId: 'p1', imagingStudy: { id: 'study-1' },
  identifier: observationIdentifier(sampleFhirConfig, { patientId: 'p1', studyInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4', modelVersion: '0.1.0' }),
  effectiveDateTime: '2024-03-01T08:00:00Z', issued: '2024-03-01T08:05:00Z', status: 'preliminary', method: 'bsnet-automated',
});
const report: fhir4.DiagnosticReport = {
  ...buildDiagnosticReport(sampleFhirConfig, {
    id: 'dr-1', observationId: 'obs-1', scoring: sampleScoring, patientId: 'p1', imagingStudyId: 'study-1',
    effectiveDateTime: '2024-03-01T08:00:00Z', issued: '2024-03-01T08:05:00Z', model: sampleModel, status: 'preliminary',
  }),
  media: [{ comment: 'heat map', link: { reference: 'Media/m1' } }],
};

describe('revisionPublication', () => {
  it('queues the reviewed Observation, the report without images and the revision Provenance to the EHR of the result', () => {
    const plan = planReview(
      sampleFhirConfig,
      { result: { id: 'obs-1', method: 'bsnet-automated', status: 'final', versionId: 2, globalScore: 9, zoneScores: sampleScoring.zones }, observation, diagnosticReport: report, model: sampleModel, now: new Date('2024-03-02T09:00:00.250Z'), provenanceId: 'prov-rev-1' },
      { observationId: 'obs-1', action: 'override', zones: { A: 3, B: 3, C: 2, D: 1, E: 1, F: 2 }, expectedVersion: 2, practitionerId: 'dr-rossi' },
    );
    const message = revisionPublication(sampleFhirConfig, 'obs-1', { destination: 'https://ehr.example.org/fhir', taskId: 'task-1' }, plan);
    expect(message).toMatchObject({ resultId: 'obs-1', taskId: 'task-1', kind: 'revision', destination: 'https://ehr.example.org/fhir', payload: { resultVersion: 3 } });
    const [published, publishedReport, provenance] = message.payload.resources as [fhir4.Observation, fhir4.DiagnosticReport, fhir4.Provenance];
    expect([published.resourceType, published.status, published.valueInteger, published.identifier]).toEqual(['Observation', 'amended', 12, observation.identifier]);
    expect(publishedReport).toMatchObject({ resourceType: 'DiagnosticReport', status: 'amended' });
    expect(publishedReport).not.toHaveProperty('media');
    expect(publishedReport.identifier).toContainEqual({ system: publicationIdentifierSystem(sampleFhirConfig, 'DiagnosticReport'), value: 'dr-1' });
    expect(provenance).toMatchObject({ resourceType: 'Provenance', id: 'prov-rev-1', recorded: '2024-03-02T09:00:00.250Z' });
    expectValidR4(publishedReport);
  });
});
