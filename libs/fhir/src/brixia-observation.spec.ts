import { AppError, ZONES, type BrixiaScoring } from '@brixia/common';
import { AIAST_SECURITY, AI_CONFIDENCE_EXTENSION_URL } from './ai-transparency';
import { brixiaCodeSystemUrl } from './brixia-code-system';
import { buildBrixiaObservation, type BrixiaObservationInput } from './brixia-observation';
import { observationIdentifier } from './observation-identifier';
import { readBrixiaObservation } from './read-brixia-observation';
import { sampleFhirConfig as config, sampleModel as model, sampleScoring } from './testing/samples';
import { zoneProbabilitiesExtensionUrl } from './zone-probabilities';

const input: BrixiaObservationInput = {
  id: 'obs-1',
  scoring: sampleScoring,
  model,
  patientId: 'patient-1',
  imagingStudy: { id: 'study-1', studyInstanceUid: '1.2.826.0.1.3680043.8.498.1' },
  sopInstanceUid: '1.2.826.0.1.3680043.8.498.1.1.1',
  identifier: observationIdentifier(config, { patientId: 'patient-1', studyInstanceUid: '1.2.826.0.1.3680043.8.498.1', sopInstanceUid: '1.2.826.0.1.3680043.8.498.1.1.1', modelVersion: '0.1.0' }),
  effectiveDateTime: '2020-03-14T09:30:00+01:00',
  issued: '2020-03-14T10:02:11.512Z',
  status: 'preliminary',
  method: 'bsnet-automated',
};

function codeOf(component: { code: { coding?: { code?: string }[] } }): string | undefined {
  return component.code.coding?.[0]?.code;
}

describe('buildBrixiaObservation', () => {
  it('has one code coding (#global) with text "Brixia score", valueInteger = global and range 0–18', () => {
    const obs = buildBrixiaObservation(config, input);
    expect(obs.code.coding).toEqual([expect.objectContaining({ system: brixiaCodeSystemUrl(config), code: 'global' })]);
    expect(obs.code.text).toBe('Brixia score');
    expect(obs.valueInteger).toBe(9);
    expect(obs.referenceRange?.[0]).toMatchObject({ low: { value: 0 }, high: { value: 18 } });
    expect(obs.category?.[0]?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'imaging' });
  });

  it('lists components zone-A … zone-F in order, each with its own zone score', () => {
    // Scores differ per zone so a swapped mapping (e.g. the model's A,D,B,E,C,F order) would show.
    const scoring: BrixiaScoring = { ...sampleScoring, zones: { A: 0, B: 1, C: 2, D: 3, E: 2, F: 1 }, global: 9 };
    const obs = buildBrixiaObservation(config, { ...input, scoring });
    expect(obs.component?.map(codeOf)).toEqual(['zone-A', 'zone-B', 'zone-C', 'zone-D', 'zone-E', 'zone-F']);
    expect(obs.component?.map((component) => component.valueInteger)).toEqual([0, 1, 2, 3, 2, 1]);
  });

  it('valueInteger is the sum of the component scores', () => {
    const obs = buildBrixiaObservation(config, input);
    const sum = (obs.component ?? []).reduce((total, component) => total + (component.valueInteger ?? 0), 0);
    expect(obs.valueInteger).toBe(sum);
  });

  it('refuses a global score that is not the sum of the zones', () => {
    const scoring: BrixiaScoring = { ...sampleScoring, global: 10 };
    expect(() => buildBrixiaObservation(config, { ...input, scoring })).toThrow(AppError);
  });

  it('refuses zone scores outside 0–3 and non-finite probabilities', () => {
    const badZone = { ...sampleScoring, zones: { ...sampleScoring.zones, A: 4 }, global: 11 } as unknown as BrixiaScoring;
    expect(() => buildBrixiaObservation(config, { ...input, scoring: badZone })).toThrow(/Zone A/);
    const badProbabilities: BrixiaScoring = { ...sampleScoring, probabilities: { ...sampleScoring.probabilities, C: [Number.NaN, 0.5, 0.5, 0] } };
    expect(() => buildBrixiaObservation(config, { ...input, scoring: badProbabilities })).toThrow(/zone C/);
  });

  it('labels an automated result AIAST, names the Device and carries per-zone probabilities', () => {
    const obs = buildBrixiaObservation(config, input);
    expect(obs.meta?.security).toEqual([AIAST_SECURITY]);
    expect(obs.device?.reference).toBe('Device/bsnet-0-1-0');
    expect(obs.method?.coding?.[0]?.code).toBe('bsnet-automated');
    const zoneC = obs.component?.[2];
    const confidence = zoneC?.extension?.find((extension) => extension.url === AI_CONFIDENCE_EXTENSION_URL);
    expect(confidence?.valueDecimal).toBe(sampleScoring.probabilities.C[2]);
    const vector = zoneC?.extension?.find((extension) => extension.url === zoneProbabilitiesExtensionUrl(config));
    expect(vector?.extension?.map((sub) => [sub.url, sub.valueDecimal])).toEqual([
      ['score-0', 0.02],
      ['score-1', 0.18],
      ['score-2', 0.55],
      ['score-3', 0.25],
    ]);
  });

  it('a radiologist score carries no AI label, Device or probabilities', () => {
    const obs = buildBrixiaObservation(config, { ...input, method: 'radiologist', status: 'amended' });
    expect(obs.meta).toBeUndefined();
    expect(obs.device).toBeUndefined();
    expect(obs.component?.every((component) => component.extension === undefined)).toBe(true);
    expect(obs.method?.coding?.[0]?.code).toBe('radiologist');
  });

  it('derives from the ImagingStudy by id and by urn:dicom:uid identifier, and needs one of them', () => {
    expect(buildBrixiaObservation(config, input).derivedFrom).toEqual([
      { reference: 'ImagingStudy/study-1', type: 'ImagingStudy', identifier: { system: 'urn:dicom:uid', value: 'urn:oid:1.2.826.0.1.3680043.8.498.1' } },
    ]);
    expect(buildBrixiaObservation(config, { ...input, imagingStudy: { studyInstanceUid: '1.2.3' } }).derivedFrom?.[0]).toEqual({
      type: 'ImagingStudy',
      identifier: { system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' },
    });
    expect(() => buildBrixiaObservation(config, { ...input, imagingStudy: {} })).toThrow(AppError);
  });

  it('puts acquisition time in effectiveDateTime and inference time in issued, and keeps meta version fields', () => {
    const obs = buildBrixiaObservation(config, { ...input, versionId: '3', lastUpdated: '2020-03-15T08:00:00Z' });
    expect(obs.effectiveDateTime).toBe(input.effectiveDateTime);
    expect(obs.issued).toBe(input.issued);
    expect(obs.meta).toMatchObject({ versionId: '3', lastUpdated: '2020-03-15T08:00:00Z' });
    expect(() => buildBrixiaObservation(config, { ...input, issued: '2020-03-14' })).toThrow(/issued/);
  });
});

describe('readBrixiaObservation', () => {
  it('reads back what buildBrixiaObservation wrote', () => {
    const read = readBrixiaObservation(buildBrixiaObservation(config, input));
    expect(read.global).toBe(9);
    expect(read.zones).toEqual(sampleScoring.zones);
    expect(read.method).toBe('bsnet-automated');
    for (const zone of ZONES) expect(read.probabilities?.[zone]).toEqual(sampleScoring.probabilities[zone]);
  });

  it('accepts components in any order', () => {
    const obs = buildBrixiaObservation(config, input);
    const read = readBrixiaObservation({ ...obs, component: [...(obs.component ?? [])].reverse() });
    expect(read.zones).toEqual(sampleScoring.zones);
  });

  const invalidCases: Array<[string, (obs: ReturnType<typeof buildBrixiaObservation>) => unknown, string]> = [
    ['a different code', (obs) => ({ ...obs, code: { text: 'Brixia score' } }), 'Observation.code'],
    ['a global out of range', (obs) => ({ ...obs, valueInteger: 19 }), 'Observation.value'],
    ['a missing zone', (obs) => ({ ...obs, component: obs.component?.slice(1) }), 'Observation.component'],
    ['a zone twice', (obs) => ({ ...obs, component: [...(obs.component ?? []), obs.component?.[0]] }), 'Observation.component[6].code'],
    ['a zone score of 4', (obs) => ({ ...obs, component: obs.component?.map((c, i) => (i === 1 ? { ...c, valueInteger: 4 } : c)) }), 'Observation.component[1].value'],
    ['a global that is not the sum', (obs) => ({ ...obs, valueInteger: 8 }), 'Observation.value'],
  ];
  it.each(invalidCases)('rejects %s with REQUEST.INVALID', (_label, mutate, expression) => {
    const broken = mutate(buildBrixiaObservation(config, input)) as Parameters<typeof readBrixiaObservation>[0];
    expect(() => readBrixiaObservation(broken)).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID', expression: [expression] }));
  });
});
