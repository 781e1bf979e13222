import type { AppError } from '@brixia/common';
import { dedupeKeyOf, externalStudyKeyOf, imageKeyOf, resultPatientIdOf } from './result-identity';

describe('result identity', () => {
  it('names a DICOM image by its SOP Instance UID (padding ignored) and anything else by its bytes', () => {
    expect(imageKeyOf({ sopInstanceUid: '2.25.1.2\0', sha256: 'ab' })).toBe('sop:2.25.1.2');
    expect(imageKeyOf({ sopInstanceUid: '2.25.1.2', sha256: 'cd' })).toBe(imageKeyOf({ sopInstanceUid: '2.25.1.2 ', sha256: 'ef' }));
    expect(imageKeyOf({ sopInstanceUid: null, sha256: 'ab' })).toBe('sha256:ab');
    expect(imageKeyOf({ sopInstanceUid: '  ', sha256: 'ab' })).toBe('sha256:ab');
    expect(imageKeyOf({ sha256: 'ab' })).toBe('sha256:ab');
  });

  it('keys a request by patient, image and model version', () => {
    const key = dedupeKeyOf('patient-a', 'sha256:ab', '0.2.0');
    expect(key).toBe('patient-a|sha256:ab|0.2.0');
    expect(dedupeKeyOf('patient-b', 'sha256:ab', '0.2.0')).not.toBe(key);
    expect(dedupeKeyOf('patient-a', 'sha256:ab', '0.3.0')).not.toBe(key);
    expect(dedupeKeyOf('patient-a', externalStudyKeyOf('ab'), '0.2.0')).toBe('patient-a|ehr:ab|0.2.0');
  });
});

describe('resultPatientIdOf', () => {
  it("takes the Task's patient, else the stored study's", () => {
    expect(resultPatientIdOf({ patientId: 'from-task' }, { patientId: 'from-study' })).toBe('from-task');
    expect(resultPatientIdOf({ patientId: null }, { patientId: 'from-study' })).toBe('from-study');
  });

  it('refuses a result without a patient instead of filing it under a made-up one', () => {
    for (const [task, study] of [[{ patientId: null }, null], [{}, undefined], [{ patientId: '' }, { patientId: null }], [{ patientId: null }, { patientId: '' }]] as const) {
      let thrown: unknown;
      try {
        resultPatientIdOf(task, study);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: 'IMAGING.MISSING_PATIENT' });
      expect((thrown as AppError).spec).toMatchObject({ httpStatus: 422, retryable: false });
    }
  });
});
