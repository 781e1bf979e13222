import { expectValidR4, sampleFhirConfig, sampleModel, sampleScoring } from '@brixia/fhir/testing';
import type { DecodedRadiograph } from '@brixia/imaging';
import type { ModelOutput } from '@brixia/inference';
import type { NewOutboxMessage, StudyPointRecord } from '@brixia/persistence';
import { buildCompletion, buildScoringResult, expectedPointOf, resultIdsOf, resultSubjectOf, studyPointOf, type PublicationOf, type ScoringResultInput } from './scoring-resources';

const TASK_ID = '6a1f0c52-4b7e-4c1e-9d47-3f2a8e5b9c10';
const STUDY_ID = '0b8e6d1a-2c3f-4a5b-8c7d-9e0f1a2b3c4d';

const output: ModelOutput = {
  ...sampleScoring,
  expectedGlobal: sampleScoring.global,
  lungMask: {
    lungAreaFraction: 0.35,
    meanLungProbability: 0.97,
    components: [
      { areaFraction: 0.18, centroidX: 0.3, centroidY: 0.5 },
      { areaFraction: 0.16, centroidX: 0.7, centroidY: 0.5 },
    ],
    alignment: [0.8, 0.03, 0, -0.03, 0.8, 0.05],
  },
};

const decoded = (metadata: Partial<DecodedRadiograph['metadata']> = {}): DecodedRadiograph => ({
  image: { width: 1024, height: 800, pixels: new Uint8Array(1024 * 800) },
  metadata: { format: 'dicom', rows: 800, columns: 1024, viewPosition: 'PA', studyInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4', ...metadata },
});

const input = (over: Partial<ScoringResultInput> = {}): ScoringResultInput => ({
  task: { id: TASK_ID, imagingStudyId: STUDY_ID },
  study: { studyInstanceUid: '1.2.3', source: 'upload', resource: { resourceType: 'ImagingStudy', status: 'available', subject: { reference: 'Patient/patient-a' } } },
  pixels: new Uint8Array([1, 2, 3]),
  decoded: decoded(),
  output,
  model: sampleModel,
  patientId: 'patient-a',
  acquiredAt: '2026-11-30T08:15:00Z',
  issued: '2026-12-02T01:00:00.000Z',
  ...over,
});

const point = (over: Partial<StudyPointRecord> = {}): StudyPointRecord => ({
  observationId: 'obs-old',
  versionId: 3,
  status: 'preliminary',
  quality: { viewPosition: 'AP', lungEvidence: 0.5, shortSidePx: 512 },
  diagnosticReportId: 'dr-old',
  ...over,
});

const noPublication: PublicationOf = () => undefined;
const revised = (provenance: fhir4.Provenance): Array<string | undefined> => (provenance.entity ?? []).filter((entity) => entity.role === 'revision').map((entity) => entity.what.reference);

describe('buildScoringResult', () => {
  it('derives every id from the task, so a redo writes the same rows', () => {
    const first = buildScoringResult(sampleFhirConfig, input());
    const again = buildScoringResult(sampleFhirConfig, input());
    expect(first.ids).toEqual(resultIdsOf(TASK_ID));
    expect(again.ids).toEqual(first.ids);
    expect(new Set(Object.values(first.ids)).size).toBe(3);
    expect(resultIdsOf('another-task').observationId).not.toBe(first.ids.observationId);
    expect(first.observation.id).toBe(first.ids.observationId);
    expect(first.report.id).toBe(first.ids.reportId);
    expect(first.row).toMatchObject({ id: first.ids.observationId, taskId: TASK_ID, imagingStudyId: STUDY_ID });
  });

  it('files the Observation, the DiagnosticReport and the result row under the one patient, as valid R4', () => {
    const result = buildScoringResult(sampleFhirConfig, input());
    expect(result.observation.subject?.reference).toBe('Patient/patient-a');
    expect(result.report.subject?.reference).toBe('Patient/patient-a');
    expect(result.row.patientId).toBe('patient-a');
    expect(result.row).toMatchObject({ globalScore: sampleScoring.global, modelVersion: sampleModel.version, modelSha256: sampleModel.sha256, status: 'preliminary', supersededBy: null });
    expect(result.row.acquiredAt.toISOString()).toBe('2026-11-30T08:15:00.000Z');
    expect(result.observation.effectiveDateTime).toBe('2026-11-30T08:15:00Z');
    expect(result.quality).toMatchObject({ viewPosition: 'PA', shortSidePx: 800 });
    expectValidR4(result.observation);
    expectValidR4(result.report);
  });

  it("names an EHR study's Patient by its absolute URL, and only then", () => {
    const ehrPatient = { reference: 'https://ehr.example.org/fhir/Patient/p-9', identifier: { system: 'urn:oid:1.2.9', value: '9' } };
    const external = { studyInstanceUid: '1.2.3', source: 'external', resource: { resourceType: 'ImagingStudy', status: 'available', subject: ehrPatient } } as const;
    expect(resultSubjectOf(external as never)).toEqual(ehrPatient);
    const result = buildScoringResult(sampleFhirConfig, input({ study: external as never }));
    expect(result.observation.subject).toEqual(ehrPatient);
    expect(result.report.subject).toEqual(ehrPatient);
    expect(resultSubjectOf({ source: 'external', resource: { resourceType: 'ImagingStudy', status: 'available', subject: { reference: 'Patient/p-9' } } } as never)).toBeUndefined();
    expect(resultSubjectOf({ source: 'upload', resource: { resourceType: 'ImagingStudy', status: 'available', subject: ehrPatient } } as never)).toBeUndefined();
    expect(resultSubjectOf(null)).toBeUndefined();
  });

  it('keeps the identifier deterministic without DICOM UIDs (a PNG): the image hash and a UID from the study id stand in', () => {
    const png = { study: null, decoded: decoded({ format: 'png', studyInstanceUid: undefined, sopInstanceUid: undefined, viewPosition: undefined }) };
    const first = buildScoringResult(sampleFhirConfig, input(png));
    expect(buildScoringResult(sampleFhirConfig, input(png)).row.identifierValue).toBe(first.row.identifierValue);
    expect(buildScoringResult(sampleFhirConfig, input({ ...png, pixels: new Uint8Array([9]) })).row.identifierValue).not.toBe(first.row.identifierValue);
    expect(buildScoringResult(sampleFhirConfig, input({ ...png, patientId: 'patient-b' })).row.identifierValue).not.toBe(first.row.identifierValue);
    expect(first.row.identifierSystem).not.toBe('');
    expect(first.quality.viewPosition).toBeNull();
  });
});

describe('buildCompletion', () => {
  it("a study's first point: Provenance of the result, the Subscription event under the result's patient, no supersession", () => {
    const result = buildScoringResult(sampleFhirConfig, input());
    const completion = buildCompletion(sampleFhirConfig, result, { kind: 'point' }, null, noPublication);
    expect(completion).toMatchObject({ taskId: TASK_ID, diagnosticReportId: result.ids.reportId, expectedPoint: null, outbox: undefined });
    expect(completion.supersedes).toBeUndefined();
    expect(completion.events).toEqual([{ focus: `Observation/${result.ids.observationId}`, patientId: 'patient-a' }]);
    const [observation, report, provenance] = completion.resources as [fhir4.Observation, fhir4.DiagnosticReport, fhir4.Provenance];
    expect([observation.id, report.id, provenance.id]).toEqual([result.ids.observationId, result.ids.reportId, result.ids.provenanceId]);
    expect(provenance.target.map((target) => target.reference)).toEqual([`Observation/${result.ids.observationId}`, `DiagnosticReport/${result.ids.reportId}`]);
    expect(provenance.entity).toEqual([{ role: 'source', what: { reference: `ImagingStudy/${STUDY_ID}` } }]);
    expectValidR4(provenance);
  });

  it('superseding the point: its Observation and DiagnosticReport are Provenance entities, decided against its version', () => {
    const result = buildScoringResult(sampleFhirConfig, input());
    const reason = 'a better instance';
    const completion = buildCompletion(sampleFhirConfig, result, { kind: 'supersede', observationId: 'obs-old', reason }, point(), noPublication);
    expect(completion.supersedes).toEqual({ observationId: 'obs-old', reason });
    expect(completion.expectedPoint).toEqual({ observationId: 'obs-old', versionId: 3 });
    const provenance = completion.resources[2] as fhir4.Provenance;
    expect(revised(provenance)).toEqual(['Observation/obs-old', 'DiagnosticReport/dr-old']);
    expectValidR4(provenance);
  });

  it('hands the publication the Device, Observation, DiagnosticReport and Provenance in dependency order, and the superseded result', () => {
    const result = buildScoringResult(sampleFhirConfig, input());
    const asked: Array<{ types: string[]; supersedes?: string }> = [];
    const message = { id: 'msg-1' } as NewOutboxMessage;
    const publication: PublicationOf = (published, supersedes) => (asked.push({ types: published.map((resource) => resource.resourceType), supersedes }), message);
    const completion = buildCompletion(sampleFhirConfig, result, { kind: 'supersede', observationId: 'obs-old', reason: 'better' }, point({ diagnosticReportId: null }), publication);
    expect(completion.outbox).toBe(message);
    expect(asked).toEqual([{ types: ['Device', 'Observation', 'DiagnosticReport', 'Provenance'], supersedes: 'obs-old' }]);
    expect(revised(completion.resources[2] as fhir4.Provenance)).toEqual(['Observation/obs-old']);
  });
});

describe('study point records', () => {
  it('as ranking sees them (reviewed = no longer preliminary) and as the store re-checks them', () => {
    expect(studyPointOf(null)).toBeNull();
    expect(studyPointOf(point())).toEqual({ observationId: 'obs-old', quality: point().quality, reviewed: false });
    expect(studyPointOf(point({ status: 'final' }))?.reviewed).toBe(true);
    expect(expectedPointOf(null)).toBeNull();
    expect(expectedPointOf(point())).toEqual({ observationId: 'obs-old', versionId: 3 });
  });
});
