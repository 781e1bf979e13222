import { ERROR_TABLE } from '@brixia/common';
import type * as fhir4 from 'fhir/r4';
import { brixiaScoreOperationUrl } from './brixia-score.operation';
import { buildScoringTask, type ScoringTaskInput } from './scoring-task';
import { sampleFhirConfig as config, sampleScoringTaskInput } from './testing/samples';

const base: ScoringTaskInput = sampleScoringTaskInput;

describe('buildScoringTask', () => {
  it('is an order for our operation, focused on the study, for the patient', () => {
    const task = buildScoringTask(config, base);
    expect(task).toMatchObject({
      status: 'requested',
      intent: 'order',
      instantiatesUri: brixiaScoreOperationUrl(config),
      focus: { reference: 'ImagingStudy/study-1' },
      for: { reference: 'Patient/patient-1' },
      businessStatus: { text: 'queued' },
      identifier: [base.identifier],
    });
    expect(task.code?.coding?.[0]?.code).toBe('brixia-score-request');
    expect(task.output).toBeUndefined();
    expect(task.statusReason).toBeUndefined();
  });

  it("is for the EHR's Patient (absolute URL plus identifier) when the study came from an EHR", () => {
    const subject: fhir4.Reference = { reference: 'https://ehr.example.org/fhir/Patient/p-9', type: 'Patient', identifier: { system: 'urn:test:mrn', value: 'MRN9' } };
    const task = buildScoringTask(config, { ...base, subject });
    expect(task.for).toEqual(subject);
    expect(task.for).not.toBe(subject);
  });

  it('outputs the Observation and DiagnosticReport when completed', () => {
    const task = buildScoringTask(config, { ...base, status: 'completed', businessStatus: undefined, observationId: 'obs-1', diagnosticReportId: 'dr-1' });
    expect(task.businessStatus?.text).toBe('done');
    expect(task.output?.map((output) => output.valueReference?.reference)).toEqual(['Observation/obs-1', 'DiagnosticReport/dr-1']);
  });

  it('records a skipped instance as completed, the reason in statusReason and the study\'s point as output', () => {
    const task = buildScoringTask(config, {
      ...base,
      status: 'completed',
      businessStatus: undefined,
      skipped: { reason: 'Another instance of this ImagingStudy is already its timeline point', pointObservationId: 'obs-point' },
    });
    expect(task.businessStatus?.text).toBe('skipped');
    expect(task.statusReason?.text).toMatch(/another instance/i);
    expect(task.output).toEqual([
      { type: { text: 'Timeline point of the ImagingStudy (another instance)' }, valueReference: { reference: 'Observation/obs-point', type: 'Observation' } },
    ]);
    expect(task.contained).toBeUndefined();
  });

  it('records a superseded instance with its own results, the new point and the reason', () => {
    const task = buildScoringTask(config, {
      ...base,
      status: 'completed',
      businessStatus: 'superseded',
      observationId: 'obs-1',
      diagnosticReportId: 'dr-1',
      skipped: { reason: 'Superseded as the timeline point of its ImagingStudy by a better instance (PA view over AP)', pointObservationId: 'obs-better', superseded: true },
    });
    expect(task.businessStatus?.text).toBe('superseded');
    expect(task.statusReason?.text).toMatch(/PA view over AP/);
    expect(task.output?.map((output) => [output.type.text, output.valueReference?.reference])).toEqual([
      ['Brixia score Observation', 'Observation/obs-1'],
      ['AI Brixia report', 'DiagnosticReport/dr-1'],
      ['Timeline point of the ImagingStudy (a better instance)', 'Observation/obs-better'],
    ]);
  });

  it('does not output results before completion', () => {
    const task = buildScoringTask(config, { ...base, status: 'in-progress', businessStatus: 'inferring', observationId: 'obs-1' });
    expect(task.output).toBeUndefined();
  });

  it('on failure carries statusReason and a contained OperationOutcome as output', () => {
    const task = buildScoringTask(config, {
      ...base,
      status: 'failed',
      businessStatus: 'failed',
      failure: { code: 'IMAGING.NOT_FRONTAL', message: 'The image is a lateral view; Brixia needs AP or PA' },
    });
    expect(task.statusReason?.text).toBe('The image is a lateral view; Brixia needs AP or PA');
    const outcome = task.contained?.[0] as fhir4.OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue[0]).toMatchObject({ code: ERROR_TABLE['IMAGING.NOT_FRONTAL'].issueType, details: { text: 'IMAGING.NOT_FRONTAL' } });
    expect(task.output).toEqual([{ type: { text: 'OperationOutcome' }, valueReference: { reference: `#${outcome.id}`, type: 'OperationOutcome' } }]);
  });
});
