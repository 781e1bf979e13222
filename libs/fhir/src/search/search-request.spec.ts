import { AppError } from '@brixia/common';
import { jsonContains, matchesCriteria } from './search-criteria';
import { parseSearch } from './search-request';
import { searchPageLinks } from './search-results';

const BASE = 'http://localhost:3000/fhir';
const lenient = { strict: false, baseUrl: BASE };
const strict = { strict: true, baseUrl: BASE };

const observation = {
  resourceType: 'Observation',
  id: 'obs-1',
  meta: { lastUpdated: '2024-05-01T10:00:00Z' },
  status: 'final',
  code: { coding: [{ system: 'https://brixia.example.org/fhir/CodeSystem/brixia-score', code: 'global' }] },
  subject: { reference: 'Patient/p1' },
  effectiveDateTime: '2024-05-01T08:00:00Z',
  derivedFrom: [{ reference: 'ImagingStudy/s1' }],
  identifier: [{ system: 'urn:x', value: 'v1' }],
};

const matches = (pairs: Array<[string, string]>): boolean => matchesCriteria(observation, parseSearch('Observation', pairs, lenient).criteria);

describe('parseSearch (registry-driven)', () => {
  it.each([
    [[['patient', 'Patient/p1']], true],
    [[['patient', 'p1']], true],
    [[['subject', `${BASE}/Patient/p1`]], true],
    [[['subject:Patient', 'p1']], true],
    [[['patient', 'Patient/p2']], false],
    [[['subject', 'Device/p1']], false],
    [[['status', 'final,amended']], true],
    [[['status', 'preliminary']], false],
    [[['code', 'https://brixia.example.org/fhir/CodeSystem/brixia-score|global']], true],
    [[['code', 'other|global']], false],
    [[['code', '|global']], false],
    [[['identifier', 'urn:x|v1']], true],
    [[['derived-from', 'ImagingStudy/s1']], true],
    [[['date', 'ge2024-05-01'], ['date', 'lt2024-05-02']], true],
    [[['date', 'gt2024-05-01']], false],
    [[['_lastUpdated', 'eq2024-05']], true],
    [[['_id', 'obs-2,obs-1']], true],
  ] as Array<[Array<[string, string]>, boolean]>)('%j matches: %s', (pairs, expected) => {
    expect(matches(pairs)).toBe(expected);
  });

  it('ignores unsupported parameters and modifiers, and leaves them out of the self link', () => {
    const search = parseSearch('Observation', [['patient', 'p1'], ['foo', 'x'], ['code:text', 'y'], ['_include', 'Observation:subject'], ['_format', 'json']], lenient);
    expect(search.ignored).toEqual(['foo', 'code:text', '_include']);
    const self = new URL(searchPageLinks(BASE, search, 0).selfUrl);
    expect([...self.searchParams.entries()]).toEqual([['patient', 'p1'], ['_count', '20']]);
  });

  it('refuses them under handling=strict, naming the parameter', () => {
    for (const name of ['foo', 'code:text', 'subject.identifier', 'subject:Device']) {
      expect(() => parseSearch('Observation', [[name, 'x']], strict)).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID', message: expect.stringContaining(name) }));
    }
    expect(() => parseSearch('Observation', [['_sort', 'status']], strict)).toThrow(AppError);
    expect(() => parseSearch('Observation', [['_summary', 'true']], strict)).toThrow(AppError);
  });

  it('always refuses malformed values of supported parameters', () => {
    for (const pair of [['date', 'yesterday'], ['_count', '-1'], ['_offset', '99999999999999999999'], ['_elements', 'a.b']] as Array<[string, string]>) {
      expect(() => parseSearch('Observation', [pair], lenient)).toThrow(expect.objectContaining({ code: 'REQUEST.INVALID' }));
    }
  });

  it('caps _count and links the next page only while matches remain', () => {
    const search = parseSearch('Observation', [['_count', '1000']], { ...lenient, maxCount: 100 });
    expect(search.count).toBe(100);
    expect(searchPageLinks(BASE, search, 100).nextUrl).toBeUndefined();
    expect(searchPageLinks(BASE, search, 101).nextUrl).toContain('_offset=100');
  });
});

describe('jsonContains (PostgreSQL @> semantics)', () => {
  it('matches nested objects and array subsets', () => {
    expect(jsonContains({ a: [{ b: 1, c: 2 }, { b: 3 }] }, { a: [{ b: 3 }] })).toBe(true);
    expect(jsonContains({ a: [{ b: 1 }] }, { a: [{ b: 2 }] })).toBe(false);
    expect(jsonContains({ a: { b: 1 } }, { a: [{ b: 1 }] })).toBe(false);
  });
});
