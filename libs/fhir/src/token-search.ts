/**
 * Whether a FHIR token search value (comma-separated `[system|]code` alternatives,
 * http://hl7.org/fhir/R4/search.html#token) matches a code of a system. `code` alone matches any
 * system; `|code` means "no system", which our codes never have, so it does not match.
 */
export function tokenSearchMatches(search: string, code: string, system: string): boolean {
  return search.split(',').some((token) => {
    const bar = token.indexOf('|');
    if (bar < 0) return token === code;
    return token.slice(bar + 1) === code && token.slice(0, bar) === system;
  });
}
