import { tokenSearchMatches } from './token-search';

describe('tokenSearchMatches', () => {
  const system = 'https://brixia.example.org/fhir/CodeSystem/brixia-score';
  it.each([
    ['global', true],
    [`${system}|global`, true],
    ['zone-A,global', true],
    ['http://loinc.org|global', false],
    ['|global', false],
    ['zone-A', false],
  ])('%s → %s', (search, expected) => {
    expect(tokenSearchMatches(search, 'global', system)).toBe(expected);
  });
});
