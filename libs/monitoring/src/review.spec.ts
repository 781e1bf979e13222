import { buildBrixiaObservation, buildDiagnosticReport, observationIdentifier } from '@brixia/fhir';
import { expectValidR4, sampleFhirConfig, sampleModel, sampleScoring } from '@brixia/fhir/testing';
import { planReview, type ReviewedResult } from './review';

const aiObservation = buildBrixiaObservation(sampleFhirConfig, {
  id: 'obs-1',
  scoring: sampleScoring,
  model: sampleModel,
  patientId: 'p1',
  imagingStudy: { id: 'study-1' },
  identifier: observationIdentifier(sampleFhirConfig, { patientId: 'p1', studyInstanceUid: '1.2.3', sopInstanceUid: '1.2.3.4', modelVersion: '0.1.0' }),
  effectiveDateTime: '2024-03-01T08:00:00Z',
  issued: '2024-03-01T08:05:00Z',
  status: 'preliminary',
  method: 'bsnet-automated',
});

const result: ReviewedResult = { id: 'obs-1', method: 'bsnet-automated', status: 'preliminary', versionId: 1, globalScore: 9, zoneScores: sampleScoring.zones };
const now = new Date('2024-03-01T09:00:00Z');
const plan = (input: Partial<Parameters<typeof planReview>[2]>, current: ReviewedResult = result) =>
  planReview(sampleFhirConfig, { result: current, observation: aiObservation, model: sampleModel, now, provenanceId: 'prov-rev-1' }, {
    observationId: 'obs-1',
    action: 'confirm',
    practitionerId: 'dr-rossi',
    ...input,
  });

describe('planReview', () => {
  it('confirms: Observation final with the AI values and a revision Provenance by the Practitioner', () => {
    const out = plan({});
    expect(out.status).toBe('final');
    expect(out.global).toBe(9);
    expect(out.observation.status).toBe('final');
    expect(out.observation.meta?.security?.map((c) => c.code)).toEqual(['AIAST']);
    expect(out.observation.note?.[0]).toMatchObject({ authorReference: { reference: 'Practitioner/dr-rossi' } });
    expect(out.provenance.agent[0].who?.reference).toBe('Practitioner/dr-rossi');
    expect(out.provenance.entity?.[0]).toMatchObject({ role: 'revision', what: { reference: 'Observation/obs-1' } });
    expectValidR4(out.observation);
    expectValidR4(out.provenance);
  });

  it('overrides: Observation amended with the clinician values, no AI label or AI confidence', () => {
    const out = plan({ action: 'override', zones: { A: 3, B: 3, C: 2, D: 1, E: 1, F: 2 } });
    expect(out).toMatchObject({ status: 'amended', global: 12 });
    expect(out.observation.valueInteger).toBe(12);
    expect(out.observation.component?.map((c) => c.valueInteger)).toEqual([3, 3, 2, 1, 1, 2]);
    expect(out.observation.component?.every((c) => c.extension === undefined)).toBe(true);
    expect(out.observation.meta).toBeUndefined();
    expect(out.observation.note?.[0].text).toContain('the AI result was 9/18');
    expectValidR4(out.observation);
  });

  it('moves the DiagnosticReport along and names it in the Provenance', () => {
    const report = buildDiagnosticReport(sampleFhirConfig, {
      id: 'dr-1', observationId: 'obs-1', scoring: sampleScoring, patientId: 'p1', imagingStudyId: 'study-1',
      effectiveDateTime: '2024-03-01T08:00:00Z', issued: '2024-03-01T08:05:00Z', model: sampleModel, status: 'preliminary',
    });
    const out = planReview(sampleFhirConfig, { result, observation: aiObservation, diagnosticReport: report, model: sampleModel, now, provenanceId: 'prov-rev-1' }, {
      observationId: 'obs-1', action: 'override', zones: { A: 3, B: 3, C: 2, D: 1, E: 1, F: 2 }, practitionerId: 'dr-rossi',
    });
    expect(out.diagnosticReport).toMatchObject({ status: 'amended', conclusion: 'Clinician-reviewed Brixia 12/18: A3 B3 C2 D1 E1 F2 (AI result 9/18)' });
    expect(out.diagnosticReport?.text?.div).toContain('Overridden by a clinician');
    expect(out.provenance.target.map((t) => t.reference)).toEqual(['Observation/obs-1', 'DiagnosticReport/dr-1']);
    expectValidR4(out.diagnosticReport);
    expectValidR4(out.provenance);
  });

  it('treats an override equal to the current values as a confirmation', () => {
    expect(plan({ action: 'override', zones: { ...sampleScoring.zones } }).status).toBe('final');
  });

  it('rejects bad zone scores and a missing override, with the argument named', () => {
    expect(() => plan({ action: 'override' })).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID', expression: ['zones'] }));
    expect(() => plan({ action: 'override', zones: { A: 4, B: 0, C: 0, D: 0, E: 0, F: 0 } })).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID', expression: ['zones.A'] }));
  });

  it('needs the version read once the result was reviewed, and checks it whenever given', () => {
    const reviewed = { ...result, status: 'final', versionId: 2 };
    expect(() => plan({}, reviewed)).toThrow(expect.objectContaining({ code: 'RESOURCE.VERSION_CONFLICT' }));
    expect(() => plan({ expectedVersion: 1 }, reviewed)).toThrow(expect.objectContaining({ code: 'RESOURCE.VERSION_CONFLICT', details: { currentVersion: 2, expectedVersion: 1 } }));
    expect(plan({ expectedVersion: 2, action: 'override', zones: { A: 0, B: 0, C: 0, D: 0, E: 0, F: 0 } }, reviewed).status).toBe('amended');
  });

  it('refuses radiologist-entered and retracted results', () => {
    expect(() => plan({}, { ...result, method: 'radiologist' })).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID' }));
    expect(() => plan({}, { ...result, status: 'entered-in-error' })).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID' }));
  });
});
