import type { DateBound } from './date-search';

/** A JSON fragment the served resource must contain (PostgreSQL `@>` semantics). */
export type JsonFragment = { readonly [key: string]: JsonValue };
export type JsonValue = string | number | boolean | null | JsonFragment | readonly JsonValue[];

/**
 * One parsed search criterion. Parameters are ANDed; the fragments of one `contains` criterion are
 * alternatives (ORed; none = matches nothing, e.g. a reference to a type the element cannot hold).
 */
export type SearchCriterion =
  | { readonly kind: 'contains'; readonly param: string; readonly fragments: readonly JsonFragment[] }
  | { readonly kind: 'date'; readonly param: string; readonly element: string; readonly bounds: readonly DateBound[] }
  | { readonly kind: 'lastUpdated'; readonly bounds: readonly DateBound[] }
  | { readonly kind: 'id'; readonly ids: readonly string[] }
  /** A patient's compartment: the reference at the top-level `element` names `Patient/<patientId>`, relative or under any base (an EHR's Patient). */
  | { readonly kind: 'patient'; readonly element: string; readonly patientId: string };

/** Sort of a search: by a top-level dateTime element or by meta.lastUpdated; ties by id. */
export interface SearchSort {
  readonly by: { readonly kind: 'dateTime'; readonly element: string } | { readonly kind: 'lastUpdated' };
  readonly descending: boolean;
}

/** Builds the fragment `{a: [{b: leaf}]}` for the path `a[].b`. */
export function fragmentAt(path: string, leaf: JsonValue): JsonFragment {
  const steps = path.split('.');
  let value: JsonValue = leaf;
  for (let index = steps.length - 1; index >= 0; index -= 1) {
    const step = steps[index];
    const isArray = step.endsWith('[]');
    const name = isArray ? step.slice(0, -2) : step;
    value = { [name]: isArray ? [value] : value };
  }
  return value as JsonFragment;
}

/** PostgreSQL jsonb containment (`a @> b`), for the resources that are not searched in SQL. */
export function jsonContains(value: unknown, fragment: unknown): boolean {
  if (Array.isArray(fragment)) {
    return Array.isArray(value) && fragment.every((wanted) => value.some((item) => jsonContains(item, wanted)));
  }
  if (typeof fragment === 'object' && fragment !== null) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    return Object.entries(fragment).every(([key, wanted]) => key in record && jsonContains(record[key], wanted));
  }
  return value === fragment;
}

function withinBounds(at: Date | undefined, bounds: readonly DateBound[]): boolean {
  if (at === undefined || Number.isNaN(at.getTime())) return false;
  return bounds.every((bound) => (bound.op === 'ge' ? at.getTime() >= bound.at.getTime() : at.getTime() < bound.at.getTime()));
}

/** Whether a reference names the patient: `Patient/<id>`, or an absolute URL ending in `/Patient/<id>` (ours or an EHR's). */
export function referenceNamesPatient(reference: string, patientId: string): boolean {
  return reference === `Patient/${patientId}` || reference.endsWith(`/Patient/${patientId}`);
}

/** In-memory predicate of the criteria (same meaning as their SQL translation). */
export function matchesCriteria(resource: { readonly id?: string; readonly meta?: { readonly lastUpdated?: string } }, criteria: readonly SearchCriterion[]): boolean {
  return criteria.every((criterion) => {
    switch (criterion.kind) {
      case 'contains':
        return criterion.fragments.some((fragment) => jsonContains(resource, fragment));
      case 'date': {
        const text = (resource as Record<string, unknown>)[criterion.element];
        return typeof text === 'string' && withinBounds(new Date(text), criterion.bounds);
      }
      case 'lastUpdated':
        return withinBounds(resource.meta?.lastUpdated ? new Date(resource.meta.lastUpdated) : undefined, criterion.bounds);
      case 'id':
        return resource.id !== undefined && criterion.ids.includes(resource.id);
      case 'patient': {
        const reference = ((resource as Record<string, unknown>)[criterion.element] as { reference?: unknown } | undefined)?.reference;
        return typeof reference === 'string' && referenceNamesPatient(reference, criterion.patientId);
      }
    }
  });
}
