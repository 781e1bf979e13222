import type * as fhir4 from 'fhir/r4';
import { apiBase } from '../config';
import type { ParsedSearch } from './search-request';

/** meta.tag on a resource cut down by _elements (http://hl7.org/fhir/R4/search.html#elements). */
export const SUBSETTED_TAG: fhir4.Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

/** The URL of a page of a parsed search: the applied parameters only, then _count and _offset. */
export function searchPageUrl(baseUrl: string, search: ParsedSearch, offset: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of search.applied) params.append(name, value);
  if (!search.summaryCount) {
    params.set('_count', String(search.count));
    if (offset > 0) params.set('_offset', String(offset));
  }
  return `${apiBase(baseUrl)}/${search.resourceType}?${params.toString()}`;
}

/** self, next and previous links of a page (next only while matches remain). */
export function searchPageLinks(baseUrl: string, search: ParsedSearch, total: number): { selfUrl: string; nextUrl?: string; previousUrl?: string } {
  const { offset, count } = search;
  return {
    selfUrl: searchPageUrl(baseUrl, search, offset),
    nextUrl: !search.summaryCount && count > 0 && offset + count < total ? searchPageUrl(baseUrl, search, offset + count) : undefined,
    previousUrl: !search.summaryCount && offset > 0 ? searchPageUrl(baseUrl, search, Math.max(0, offset - Math.max(count, 1))) : undefined,
  };
}

/** Elements of min cardinality 1 (R4 StructureDefinitions), kept by _elements so a subset stays valid. */
const MANDATORY_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  Observation: ['status', 'code'],
  DiagnosticReport: ['status', 'code'],
  Task: ['status', 'intent'],
  ImagingStudy: ['status', 'subject'],
  Provenance: ['target', 'recorded', 'agent'],
  Media: ['status', 'content'],
  Subscription: ['status', 'reason', 'criteria', 'channel'],
};

/**
 * A resource with only the given top-level elements, plus resourceType, id, meta and its mandatory
 * elements (the R4 search page asks servers to keep those), tagged SUBSETTED.
 */
export function subsetElements<T extends fhir4.Resource>(resource: T, elements: readonly string[]): T {
  const kept: Record<string, unknown> = { resourceType: resource.resourceType };
  const source = resource as unknown as Record<string, unknown>;
  if (resource.id !== undefined) kept.id = resource.id;
  for (const element of [...(MANDATORY_ELEMENTS[resource.resourceType] ?? []), ...elements]) {
    if (element !== 'meta' && source[element] !== undefined) kept[element] = source[element];
  }
  kept.meta = { ...resource.meta, tag: [...(resource.meta?.tag ?? []), SUBSETTED_TAG] };
  return kept as unknown as T;
}
