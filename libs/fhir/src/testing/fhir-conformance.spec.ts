import { fhirConformance, FHIR_VALIDATORS, type FhirValidatorName } from './fhir-conformance';

// Each validator must be able to fail on its own: every broken resource below is reported by the validator
// it was made for, and a valid resource (with narrative and a Bundle entry) passes all of them.

const narrative = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Brixia score 9/18</p></div>' };
const observation = { resourceType: 'Observation', id: 'o-1', text: narrative, status: 'final', code: { text: 'Brixia score' }, subject: { reference: 'Patient/p-1' }, valueInteger: 9 };

describe('the independent FHIR validators', () => {
  it('all accept a valid Observation and a searchset Bundle holding it', () => {
    const bundle = { resourceType: 'Bundle', type: 'searchset', total: 1, link: [{ relation: 'self', url: 'http://localhost/fhir/Observation' }], entry: [{ fullUrl: 'http://localhost/fhir/Observation/o-1', resource: observation, search: { mode: 'match' } }] };
    expect(fhirConformance(observation)).toEqual({ medplum: [], 'json-schema': [], 'fhir.js': [], 'json-rules': [] });
    expect(fhirConformance(bundle)).toEqual({ medplum: [], 'json-schema': [], 'fhir.js': [], 'json-rules': [] });
  });

  it.each<[FhirValidatorName, string, unknown, string]>([
    ['json-schema', 'an unknown property', { ...observation, score: 9 }, 'score'],
    ['json-schema', 'a malformed dateTime', { ...observation, effectiveDateTime: '14/03/2020' }, 'effectiveDateTime'],
    ['json-schema', 'a status outside its enum', { ...observation, status: 'done' }, 'status'],
    ['json-schema', 'a broken resource inside a Bundle entry', { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { ...observation, valueInteger: 'nine' } }] }, 'Bundle.entry[0].resource'],
    ['fhir.js', 'an unknown property', { ...observation, score: 9 }, 'score'],
    ['fhir.js', 'a missing required element', { resourceType: 'Observation', code: { text: 'x' } }, 'status'],
    ['fhir.js', 'a code outside its required ValueSet', { ...observation, status: 'done' }, 'status'],
    ['json-rules', 'an empty array', { ...observation, category: [] }, 'Observation.category'],
    ['json-rules', 'an empty object', { ...observation, code: {} }, 'Observation.code'],
    ['json-rules', 'an empty string', { ...observation, code: { text: '' } }, 'Observation.code.text'],
    ['json-rules', 'a null', { ...observation, note: null }, 'Observation.note'],
    ['json-rules', 'a primitive extension array out of line with its values', { resourceType: 'Patient', name: [{ given: ['Ada'], _given: [null, { id: 'x' }] }] }, '_given'],
    ['medplum', 'a missing required element', { resourceType: 'Observation', code: { text: 'x' } }, 'Observation.status'],
  ])('%s reports %s', (validator, _label, resource, where) => {
    const errors = FHIR_VALIDATORS[validator](resource);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(where);
  });

  it('the JSON rules accept null placeholders that line up with a repeating primitive', () => {
    expect(FHIR_VALIDATORS['json-rules']({ resourceType: 'Patient', name: [{ given: ['Ada', 'King'], _given: [null, { id: 'x' }] }] })).toEqual([]);
  });

  it('every validator refuses something that is not a resource', () => {
    for (const validate of Object.values(FHIR_VALIDATORS)) expect(validate({ status: 'final' }).length).toBeGreaterThan(0);
  });
});
