import { AppError } from '@brixia/common';
import { brixiaCodeSystem } from './brixia-code-system';
import { buildBrixiaObservation, type BrixiaObservationInput } from './brixia-observation';
import { brixiaScoreOperationDefinition } from './brixia-score.operation';
import { capabilityStatement } from './capability-statement';
import { buildDiagnosticReport } from './diagnostic-report';
import { buildExplanationImage } from './explanation-media';
import { buildImagingStudy } from './imaging-study';
import { buildModelDevice } from './model-device';
import { observationIdentifier } from './observation-identifier';
import { operationOutcome, operationOutcomeFromError } from './operation-outcome';
import { buildProvenance } from './provenance';
import { buildScoringTask, type ScoringTaskInput } from './scoring-task';
import { searchsetBundle } from './search-bundle';
import { ensureR4Definitions, expectValidR4, validateR4 } from './testing';
import { sampleFhirConfig as config, sampleModel as model, sampleScoring as scoring, sampleScoringTaskInput } from './testing/samples';

// Every builder's output must be valid FHIR R4 (base StructureDefinitions + required bindings).

const observationInput: BrixiaObservationInput = {
  id: 'obs-1',
  scoring,
  model,
  patientId: 'patient-1',
  imagingStudy: { id: 'study-1', studyInstanceUid: '1.2.826.0.1.3680043.8.498.1' },
  identifier: observationIdentifier(config, { patientId: 'patient-1', studyInstanceUid: '1.2.826.0.1.3680043.8.498.1', sopInstanceUid: '1.2.826.0.1.3680043.8.498.1.1', modelVersion: model.version }),
  effectiveDateTime: '2020-03-14T09:30:00+01:00',
  issued: '2020-03-14T10:02:11.512Z',
  status: 'preliminary',
  method: 'bsnet-automated',
};

const taskInput: ScoringTaskInput = sampleScoringTaskInput;
const EHR_PATIENT: fhir4.Reference = { reference: 'https://ehr.example.org/fhir/Patient/p-9', type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN9' } };

describe('R4 conformance of every builder', () => {
  beforeAll(() => {
    // Loading ~45 MB of definitions: measured ~1–2 s idle; its cost is not asserted (loaded CI machines).
    ensureR4Definitions();
  });

  const observation = buildBrixiaObservation(config, observationInput);
  const ehrExplanation = buildExplanationImage(config, { mediaId: 'media-1', binaryId: 'bin-1', observationId: 'obs-1', patientId: 'p-9', subject: EHR_PATIENT, zone: 'A', png: Buffer.from('png'), width: 4, height: 3, created: '2020-03-14T10:02:11Z', model });
  const cases: Array<[string, () => unknown]> = [
    ['Observation (automated, preliminary)', () => observation],
    ['Observation (radiologist, amended, versioned)', () => buildBrixiaObservation(config, { ...observationInput, method: 'radiologist', status: 'amended', versionId: '2', lastUpdated: '2020-03-15T08:00:00Z' })],
    ['Observation (only StudyInstanceUID)', () => buildBrixiaObservation(config, { ...observationInput, imagingStudy: { studyInstanceUid: '1.2.3' }, status: 'entered-in-error' })],
    ['Device', () => buildModelDevice(model, config, { inputSize: 512, internalResolution: 512, modelCardUrl: 'https://brixia.example.org/models/bsnet.md' })],
    ['Device (no extras)', () => buildModelDevice(model, config)],
    ['CodeSystem', () => brixiaCodeSystem(config)],
    ['Task requested', () => buildScoringTask(config, taskInput)],
    ['Task in-progress', () => buildScoringTask(config, { ...taskInput, status: 'in-progress', businessStatus: 'inferring' })],
    ['Task completed', () => buildScoringTask(config, { ...taskInput, status: 'completed', businessStatus: 'done', observationId: 'obs-1', diagnosticReportId: 'dr-1' })],
    ['Task failed', () => buildScoringTask(config, { ...taskInput, status: 'failed', businessStatus: 'failed', failure: { code: 'IMAGING.NOT_FRONTAL', message: 'Lateral view' } })],
    ['Task for an EHR Patient', () => buildScoringTask(config, { ...taskInput, subject: EHR_PATIENT })],
    ['Media (explanation, EHR Patient)', () => ehrExplanation.media],
    ['Binary (explanation, EHR Patient)', () => ehrExplanation.binary],
    ['Task failed (minimal)', () => buildScoringTask(config, { id: 't-2', status: 'failed', authoredOn: '2020-03-14', lastModified: '2020-03-14T10:00:00Z' })],
    ['DiagnosticReport', () => buildDiagnosticReport(config, { id: 'dr-1', observationId: 'obs-1', scoring, patientId: 'patient-1', imagingStudyId: 'study-1', effectiveDateTime: observationInput.effectiveDateTime, issued: observationInput.issued, model, status: 'preliminary' })],
    ['Provenance create', () => buildProvenance(config, { id: 'prov-1', targets: ['Observation/obs-1', 'DiagnosticReport/dr-1'], recorded: '2020-03-14T10:02:11Z', model, imagingStudyId: 'study-1', activity: 'create' })],
    ['Provenance revision', () => buildProvenance(config, { id: 'prov-2', targets: ['Observation/obs-1'], recorded: '2020-03-15T08:00:00Z', model, imagingStudyId: 'study-1', activity: 'revision', practitionerId: 'rad-1' })],
    ['ImagingStudy (DICOM)', () => buildImagingStudy({ id: 'study-1', patientId: 'patient-1', studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', sopInstanceUid: '1.2.3.4.5', sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1', modality: 'DX', started: '2020-03-14T09:30:00+01:00', viewPosition: 'AP', numberOfInstances: 1, endpointId: 'pacs' })],
    ['ImagingStudy (upload)', () => buildImagingStudy({ id: 'study-2', patientId: 'patient-1', started: '2020-03-14T09:30:00Z' })],
    ['OperationOutcome', () => operationOutcome([{ severity: 'error', code: 'required', diagnostics: 'no subject', expression: ['ImagingStudy.subject'] }])],
    ['OperationOutcome from AppError', () => operationOutcomeFromError(new AppError('INFERENCE.FAILED', 'Inference failed'), 'req-9').outcome],
    ['OperationOutcome from unknown error', () => operationOutcomeFromError(new TypeError('x is undefined')).outcome],
    ['searchset Bundle', () => searchsetBundle({ resources: [observation], total: 3, selfUrl: 'http://localhost:3000/fhir/Observation?subject=Patient/patient-1&_count=1', nextUrl: 'http://localhost:3000/fhir/Observation?subject=Patient/patient-1&_count=1&_offset=1', baseUrl: config.baseUrl })],
    ['empty searchset Bundle', () => searchsetBundle({ resources: [], total: 0, selfUrl: 'http://localhost:3000/fhir/Observation?subject=Patient/x', baseUrl: config.baseUrl })],
    ['OperationDefinition', () => brixiaScoreOperationDefinition(config)],
    ['CapabilityStatement', () => capabilityStatement(config, { softwareVersion: '0.1.0', now: '2020-03-14T10:00:00Z' })],
  ];

  it.each(cases)('%s is valid R4', (_label, build) => {
    const resource = build();
    expect(validateR4(resource)).toEqual([]);
    expect(() => expectValidR4(resource)).not.toThrow();
  });
});
