import { AppError } from '@brixia/common';
import {
  matchesCriteria,
  parseSearch,
  patientCompartmentCriterion,
  searchDefinition,
  searchPageLinks,
  searchsetBundle,
  subsetElements,
  type IncludeDefinition,
  type ParsedSearch,
  type SearchCriterion,
  type SearchSort,
} from '@brixia/fhir';
import type { StoredResource } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { taskResources, withMeta } from './read-results.use-case';
import { subscriptionResource } from './subscriptions/manage-subscriptions.use-case';

const MAX_PAGE = 100;
/** Resources pulled in by one _include/_revinclude, at most (bounded like a page). */
const MAX_INCLUDED = 1000;

export interface SearchRequest {
  readonly resourceType: string;
  /** Parameters as name/value pairs, repeats kept (query string or form body). */
  readonly parameters: ReadonlyArray<readonly [string, string]>;
  /** `Prefer: handling=strict`. */
  readonly strict: boolean;
  /**
   * A patient-scoped token's patient: matches and includes are held to that patient's compartment in
   * the query itself, so pages are full and `total` counts what the token may see. Types with no
   * patient of their own to search by (Provenance, Subscription) are refused to such a token.
   */
  readonly patient?: string;
}

/**
 * A FHIR search (http://hl7.org/fhir/R4/search.html) over what this service serves, as a searchset
 * Bundle: matches of the page, their _include/_revinclude, self/next/previous links naming only the
 * parameters applied. Published resources and ImagingStudies are searched in SQL; Tasks and
 * Subscriptions (built from their records) with the same criteria in memory.
 */
export async function searchResources(context: ScoringContext, request: SearchRequest): Promise<fhir4.Bundle> {
  const parsed = parseSearch(request.resourceType, request.parameters, { strict: request.strict, baseUrl: context.fhir.baseUrl, maxCount: MAX_PAGE });
  const within = compartmentOf(request);
  const search = { ...parsed, criteria: [...parsed.criteria, ...within(request.resourceType)] };
  const { resources, total } = await findMatches(context, search);
  const included = search.summaryCount ? [] : await findIncluded(context, search, resources, within);
  const elements = search.elements;
  return searchsetBundle({
    resources: elements ? resources.map((resource) => subsetElements(resource, elements)) : resources,
    total,
    ...searchPageLinks(context.fhir.baseUrl, search, total),
    included,
    baseUrl: context.fhir.baseUrl,
  });
}

/** The criteria holding a type to the request's patient compartment (none without a patient). */
type Compartment = (resourceType: string) => SearchCriterion[];

function compartmentOf(request: SearchRequest): Compartment {
  const patient = request.patient;
  if (patient === undefined) return () => [];
  const searchable = request.resourceType === 'Patient' || searchDefinition(request.resourceType)?.params.some((param) => param.name === 'patient');
  if (!searchable) throw new AppError('AUTH.SCOPE_INSUFFICIENT', `Searching ${request.resourceType} is not available to a patient-scoped token`);
  return (resourceType) => {
    const criterion = patientCompartmentCriterion(resourceType, patient);
    return criterion ? [criterion] : [];
  };
}

function defaultSort(search: ParsedSearch): SearchSort | undefined {
  if (search.sort) return search.sort;
  const first = searchDefinition(search.resourceType)?.sorts[0];
  const param = searchDefinition(search.resourceType)?.params.find((candidate) => candidate.name === first);
  if (param?.target.kind === 'dateTime') return { by: { kind: 'dateTime', element: param.target.element }, descending: false };
  return first === '_lastUpdated' ? { by: { kind: 'lastUpdated' }, descending: false } : undefined;
}

async function findMatches(context: ScoringContext, search: ParsedSearch): Promise<{ resources: fhir4.FhirResource[]; total: number }> {
  const limit = search.summaryCount ? 0 : search.count;
  switch (search.resourceType) {
    case 'Task':
      return inMemory(await taskResources(context, await context.store.listTasks()), search, limit);
    case 'Subscription':
      if (!context.subscriptions) return { resources: [], total: 0 };
      return inMemory((await context.subscriptions.store.list()).map((row) => subscriptionResource(context, row)), search, limit);
    default: {
      const { rows, total } = await context.store.searches.search({
        source: search.resourceType === 'ImagingStudy' ? 'imaging_study' : 'fhir_resource',
        resourceType: search.resourceType,
        criteria: search.criteria,
        sort: defaultSort(search),
        limit,
        offset: search.offset,
      });
      return { resources: rows.map(served), total };
    }
  }
}

function served(row: StoredResource): fhir4.FhirResource {
  return withMeta(row.resource, row.versionId, row.lastUpdated);
}

function inMemory(resources: readonly fhir4.FhirResource[], search: ParsedSearch, limit: number): { resources: fhir4.FhirResource[]; total: number } {
  const matching = resources.filter((resource) => matchesCriteria(resource, search.criteria));
  const sort = defaultSort(search);
  if (sort) {
    const key = (resource: fhir4.FhirResource): number => {
      const text = sort.by.kind === 'lastUpdated' ? resource.meta?.lastUpdated : (resource as unknown as Record<string, unknown>)[sort.by.element];
      return typeof text === 'string' ? new Date(text).getTime() : Number.POSITIVE_INFINITY;
    };
    matching.sort((a, b) => (key(a) - key(b) || String(a.id).localeCompare(String(b.id))) * (sort.descending ? -1 : 1));
  }
  return { resources: matching.slice(search.offset, search.offset + limit), total: matching.length };
}

/** The references held at a registry element path (`agent[].who`, `derivedFrom[]`, `device`). */
function referencesAt(resource: unknown, path: string): string[] {
  let values: unknown[] = [resource];
  for (const step of path.split('.')) {
    const name = step.replace(/\[\]$/, '');
    values = values.flatMap((value) => {
      const next = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
      return Array.isArray(next) ? next : next === undefined ? [] : [next];
    });
  }
  return values.flatMap((value) => {
    const reference = typeof value === 'object' && value !== null ? (value as { reference?: unknown }).reference : undefined;
    return typeof reference === 'string' ? [reference] : [];
  });
}

async function findIncluded(context: ScoringContext, search: ParsedSearch, matches: readonly fhir4.FhirResource[], within: Compartment): Promise<fhir4.FhirResource[]> {
  if (matches.length === 0) return [];
  const included = new Map<string, fhir4.FhirResource>();
  const add = (resource: fhir4.FhirResource): void => {
    included.set(`${resource.resourceType}/${resource.id}`, resource);
  };
  for (const include of search.include) {
    for (const resource of await followReferences(context, include, matches, within)) add(resource);
  }
  for (const revinclude of search.revinclude) {
    const targets = matches.map((match) => `${match.resourceType}/${match.id}`).join(',');
    const reverse = parseSearch(revinclude.source, [[revinclude.param, targets]], { strict: true, baseUrl: context.fhir.baseUrl });
    const criteria = [...reverse.criteria, ...within(revinclude.source)];
    const { rows } = await context.store.searches.search({ source: 'fhir_resource', resourceType: revinclude.source, criteria, limit: MAX_INCLUDED, offset: 0 });
    for (const row of rows) add(served(row));
  }
  const matched = new Set(matches.map((match) => `${match.resourceType}/${match.id}`));
  return [...included.entries()].filter(([key]) => !matched.has(key)).map(([, resource]) => resource);
}

async function followReferences(context: ScoringContext, include: IncludeDefinition, matches: readonly fhir4.FhirResource[], within: Compartment): Promise<fhir4.FhirResource[]> {
  const param = searchDefinition(include.source)?.params.find((candidate) => candidate.name === include.param);
  if (param?.target.kind !== 'reference') return [];
  const base = context.fhir.baseUrl.replace(/\/+$/, '');
  const byType = new Map<string, Set<string>>();
  for (const match of matches) {
    for (const reference of referencesAt(match, param.target.element)) {
      const relative = reference.startsWith(`${base}/`) ? reference.slice(base.length + 1) : reference;
      const parts = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(relative);
      if (parts) byType.set(parts[1], (byType.get(parts[1]) ?? new Set()).add(parts[2]));
    }
  }
  const found: fhir4.FhirResource[] = [];
  for (const [type, ids] of byType) {
    const criteria: SearchCriterion[] = [{ kind: 'id', ids: [...ids] }, ...within(type)];
    const source = type === 'ImagingStudy' ? 'imaging_study' : 'fhir_resource';
    const { rows } = await context.store.searches.search({ source, resourceType: type, criteria, limit: MAX_INCLUDED, offset: 0 });
    found.push(...rows.map(served));
  }
  return found;
}
