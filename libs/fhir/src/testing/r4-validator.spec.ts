import { expectValidR4, validateR4 } from './r4-validator';

// The validator must be able to fail: each broken resource below has to be reported.

const validObservation = { resourceType: 'Observation', id: 'o-1', status: 'final', code: { text: 'Brixia score' }, valueInteger: 9 };

describe('validateR4', () => {
  it('passes a minimal valid resource, with narrative and a referenced contained resource', () => {
    expect(validateR4(validObservation)).toEqual([]);
    const withExtras = {
      ...validObservation,
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Brixia 9/18 &amp; more</p></div>' },
      contained: [{ resourceType: 'Patient', id: 'p' }],
      subject: { reference: '#p' },
    };
    expect(validateR4(withExtras)).toEqual([]);
  });

  it.each([
    ['a missing required element', { resourceType: 'Observation', code: { text: 'x' } }, 'Observation.status'],
    ['an unknown property', { ...validObservation, score: 9 }, 'Observation.score'],
    ['a decimal in valueInteger', { ...validObservation, valueInteger: 1.5 }, 'Observation.value'],
    ['a malformed dateTime', { ...validObservation, effectiveDateTime: '14/03/2020' }, 'Observation.effective'],
    ['an issued without zone', { ...validObservation, issued: '2020-03-14T10:00:00' }, 'Observation.issued'],
    ['an extension with value and sub-extensions (ext-1)', { ...validObservation, extension: [{ url: 'http://x', valueDecimal: 1, extension: [{ url: 'a', valueDecimal: 1 }] }] }, 'Observation.extension[0]'],
    ['a status outside the required ValueSet', { ...validObservation, status: 'done' }, 'Observation.status'],
    ['a Task status outside task-status', { resourceType: 'Task', status: 'done', intent: 'order' }, 'Task.status'],
    ['an invalid id', { ...validObservation, id: 'has space' }, 'Observation.id'],
    ['an empty string', { ...validObservation, code: { text: '' } }, 'Observation.code.text'],
    ['an empty array', { ...validObservation, category: [] }, 'Observation.category'],
    ['a narrative without the XHTML namespace', { ...validObservation, text: { status: 'generated', div: '<p>x</p>' } }, 'Observation.text.div'],
    ['a narrative with a script', { ...validObservation, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p><script>alert(1)</script></div>' } }, 'txt-1'],
    ['an unreferenced contained resource (dom-3)', { ...validObservation, contained: [{ resourceType: 'Patient', id: 'p' }] }, 'dom-3'],
    ['an invalid issue code deep inside a Bundle', { resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'oops' }] } }] }, 'issue[0].code'],
  ])('reports %s', (_label, resource, where) => {
    const errors = validateR4(resource);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(where);
  });

  it('reports a non-resource and expectValidR4 throws with the messages', () => {
    expect(validateR4({ status: 'final' })).toHaveLength(1);
    expect(() => expectValidR4({ resourceType: 'Task', status: 'done', intent: 'order' })).toThrow(/Task.status/);
  });
});
