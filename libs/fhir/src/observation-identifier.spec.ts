import { observationIdentifier, observationIdentifierSystem } from './observation-identifier';
import { sampleFhirConfig as config } from './testing/samples';

const base = { patientId: 'patient-1', studyInstanceUid: '1.2.826.0.1.3680043.8.498.10', sopInstanceUid: '1.2.826.0.1.3680043.8.498.10.1.1', modelVersion: '0.1.0' };

describe('observationIdentifier', () => {
  it('is deterministic: same inputs, same value', () => {
    expect(observationIdentifier(config, base)).toEqual(observationIdentifier(config, { ...base }));
    expect(observationIdentifier(config, base).value).toMatch(/^[0-9a-f]{64}$/);
    expect(observationIdentifier(config, base).system).toBe(observationIdentifierSystem(config));
  });

  it('changes with the patient, the model version, the study and the instance', () => {
    const value = observationIdentifier(config, base).value;
    expect(observationIdentifier(config, { ...base, patientId: 'patient-2' }).value).not.toBe(value);
    expect(observationIdentifier(config, { ...base, modelVersion: '0.2.0' }).value).not.toBe(value);
    expect(observationIdentifier(config, { ...base, studyInstanceUid: '1.2.826.0.1.3680043.8.498.11' }).value).not.toBe(value);
    expect(observationIdentifier(config, { ...base, sopInstanceUid: '1.2.826.0.1.3680043.8.498.10.1.2' }).value).not.toBe(value);
  });

  it('keeps the parts apart (no ambiguity from concatenation)', () => {
    const a = observationIdentifier(config, { patientId: 'p', studyInstanceUid: '1.2', sopInstanceUid: '3.4', modelVersion: '1' });
    const b = observationIdentifier(config, { patientId: 'p', studyInstanceUid: '1.2.3', sopInstanceUid: '4', modelVersion: '1' });
    expect(a.value).not.toBe(b.value);
  });

  it('ignores DICOM NUL/space padding of UIDs', () => {
    expect(observationIdentifier(config, { ...base, studyInstanceUid: `${base.studyInstanceUid}\0` }).value).toBe(observationIdentifier(config, base).value);
  });

  it('refuses empty parts', () => {
    expect(() => observationIdentifier(config, { ...base, sopInstanceUid: '' })).toThrow(/sopInstanceUid/);
    expect(() => observationIdentifier(config, { ...base, patientId: ' ' })).toThrow(/patientId/);
  });
});
