import { patientCompartmentCriterion } from './patient-compartment';
import { matchesCriteria, referenceNamesPatient } from './search-criteria';

describe('patientCompartmentCriterion', () => {
  it("names where each patient-data type holds its patient, Patient by its id, and nothing for Provenance", () => {
    expect(patientCompartmentCriterion('Observation', 'p1')).toEqual({ kind: 'patient', element: 'subject', patientId: 'p1' });
    expect(patientCompartmentCriterion('Task', 'p1')).toEqual({ kind: 'patient', element: 'for', patientId: 'p1' });
    expect(patientCompartmentCriterion('Binary', 'p1')).toEqual({ kind: 'patient', element: 'securityContext', patientId: 'p1' });
    expect(patientCompartmentCriterion('Patient', 'p1')).toEqual({ kind: 'id', ids: ['p1'] });
    expect(patientCompartmentCriterion('Provenance', 'p1')).toEqual({ kind: 'id', ids: [] });
    expect(patientCompartmentCriterion('Device', 'p1')).toBeUndefined();
    expect(patientCompartmentCriterion('Observation', '../x')).toEqual({ kind: 'id', ids: [] });
  });

  it("matches our Patient and an EHR's by absolute URL, never a patient whose id only ends alike", () => {
    expect(referenceNamesPatient('Patient/p1', 'p1')).toBe(true);
    expect(referenceNamesPatient('https://ehr.example.org/fhir/Patient/p1', 'p1')).toBe(true);
    expect(referenceNamesPatient('Patient/xp1', 'p1')).toBe(false);
    expect(referenceNamesPatient('https://ehr.example.org/fhir/Patient/p1/_history/2', 'p1')).toBe(false);
    const criterion = patientCompartmentCriterion('Task', 'p1');
    const task = (reference: string): { id: string } => ({ resourceType: 'Task', id: 't', for: { reference } }) as { id: string };
    expect(matchesCriteria(task('https://ehr.example.org/fhir/Patient/p1'), criterion ? [criterion] : [])).toBe(true);
    expect(matchesCriteria(task('Patient/p2'), criterion ? [criterion] : [])).toBe(false);
    expect(matchesCriteria({ id: 't' }, criterion ? [criterion] : [])).toBe(false);
  });
});
