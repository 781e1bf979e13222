import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { apiBase } from './config';

export interface SearchsetInput {
  readonly resources: readonly fhir4.Resource[];
  /** Matches across all pages. */
  readonly total: number;
  readonly selfUrl: string;
  readonly nextUrl?: string;
  readonly previousUrl?: string;
  /** Public base of our FHIR API, for entry fullUrl. */
  readonly baseUrl: string;
  /** Resources added by _include/_revinclude (search.mode `include`). */
  readonly included?: readonly fhir4.Resource[];
}

/**
 * A searchset Bundle (http://hl7.org/fhir/R4/search.html#bundle): total, self/next/previous links,
 * one entry per resource with its absolute fullUrl and search.mode `match` (`outcome` for an
 * OperationOutcome, which reports on the search rather than matching it).
 */
export function searchsetBundle(input: SearchsetInput): fhir4.Bundle {
  if (!Number.isInteger(input.total) || input.total < 0) throw new AppError('INTERNAL', 'Bundle.total must be a non-negative integer');
  const link: fhir4.BundleLink[] = [{ relation: 'self', url: input.selfUrl }];
  if (input.nextUrl !== undefined) link.push({ relation: 'next', url: input.nextUrl });
  if (input.previousUrl !== undefined) link.push({ relation: 'previous', url: input.previousUrl });
  const base = apiBase(input.baseUrl);
  const entryOf = (resource: fhir4.Resource, mode: 'match' | 'include'): fhir4.BundleEntry => ({
    ...(resource.id !== undefined ? { fullUrl: `${base}/${resource.resourceType}/${resource.id}` } : {}),
    resource: resource as fhir4.FhirResource,
    search: { mode: resource.resourceType === 'OperationOutcome' ? 'outcome' : mode },
  });
  const entry: fhir4.BundleEntry[] = [...input.resources.map((resource) => entryOf(resource, 'match')), ...(input.included ?? []).map((resource) => entryOf(resource, 'include'))];
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: input.total,
    link,
    ...(entry.length > 0 ? { entry } : {}),
  };
}
