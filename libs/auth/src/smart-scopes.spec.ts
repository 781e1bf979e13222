import { parseResourceScope, scopesGrant } from './smart-scopes';
import { practitionerIdOf, seesPatient } from './principal';
import { patientOfResource, resourceVisibleTo } from './patient-compartment';

describe('SMART scopes', () => {
  it('parses v2 permission strings in cruds order only, and v1 read/write/*', () => {
    expect([...(parseResourceScope('user/Observation.rs')?.interactions ?? [])]).toEqual(['r', 's']);
    expect(parseResourceScope('user/Observation.sr')).toBeUndefined();
    expect(parseResourceScope('user/Observation.rsu')).toBeUndefined();
    expect(parseResourceScope('user/Observation.')).toBeUndefined();
    expect([...(parseResourceScope('system/*.read')?.interactions ?? [])]).toEqual(['r', 's']);
    expect([...(parseResourceScope('patient/Observation.write')?.interactions ?? [])]).toEqual(['c', 'u', 'd']);
    expect(parseResourceScope('system/Observation.rs?category=imaging')).toBeUndefined();
    expect(parseResourceScope('openid')).toBeUndefined();
    expect(parseResourceScope('admin/Observation.rs')).toBeUndefined();
  });

  it('grants by resource type or wildcard; patient/ scopes only with a patient in context', () => {
    expect(scopesGrant(['system/*.rs'], { resourceType: 'Observation', interaction: 'r' }, false)).toBe(true);
    expect(scopesGrant(['system/*.rs'], { resourceType: 'Observation', interaction: 'u' }, false)).toBe(false);
    expect(scopesGrant(['user/Binary.r'], { resourceType: 'Observation', interaction: 'r' }, false)).toBe(false);
    expect(scopesGrant(['patient/*.rs'], { resourceType: 'Observation', interaction: 'r' }, false)).toBe(false);
    expect(scopesGrant(['patient/*.rs'], { resourceType: 'Observation', interaction: 'r' }, true)).toBe(true);
    expect(scopesGrant(['user/Observation.write'], { resourceType: 'Observation', interaction: 'u' }, false)).toBe(true);
    expect(scopesGrant([], { resourceType: 'Observation', interaction: 'r' }, false)).toBe(false);
  });

  it('reads the practitioner from fhirUser and keeps patient tokens in their compartment', () => {
    const base = { subject: 's', clientId: 'c', scopes: [] };
    expect(practitionerIdOf({ ...base, fhirUser: 'https://ehr.example/fhir/Practitioner/dr-1' })).toBe('dr-1');
    expect(practitionerIdOf({ ...base, fhirUser: 'Patient/p-1' })).toBeUndefined();
    expect(seesPatient({ ...base, patient: 'p-1' }, 'p-2')).toBe(false);
    expect(seesPatient(base, 'p-2')).toBe(true);
    const observation = { resourceType: 'Observation', id: 'o', subject: { reference: 'Patient/p-1' } };
    expect(patientOfResource(observation)).toBe('p-1');
    expect(resourceVisibleTo({ ...base, patient: 'p-2' }, observation)).toBe(false);
    expect(resourceVisibleTo({ ...base, patient: 'p-2' }, { resourceType: 'Binary', id: 'b' })).toBe(false);
    expect(resourceVisibleTo({ ...base, patient: 'p-2' }, { resourceType: 'Device', id: 'd' })).toBe(true);
  });
});
