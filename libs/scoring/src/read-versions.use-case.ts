import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN, patientCompartmentCriterion } from '@brixia/fhir';
import type { StoredResource } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { readImagingStudy, taskResource, taskResources, withMeta } from './read-results.use-case';

/** Types whose every version is kept (published resources in fhir_resource, and Tasks). */
export const VERSIONED_TYPES = ['Observation', 'DiagnosticReport', 'Provenance', 'Device', 'Media', 'Patient', 'Task'] as const;
const MAX_PAGE = 100;

function isVersioned(type: string): boolean {
  return (VERSIONED_TYPES as readonly string[]).includes(type);
}

function parseVersion(versionId: string): number | undefined {
  return /^[1-9]\d{0,8}$/.test(versionId) ? Number(versionId) : undefined;
}

/** `GET [type]/[id]/_history/[vid]` (vread). ImagingStudies are never rewritten: their one version is 1. */
export async function readVersion(context: ScoringContext, resourceType: string, id: string, versionId: string): Promise<fhir4.FhirResource> {
  const version = parseVersion(versionId);
  const missing = new AppError('RESOURCE.NOT_FOUND', `${resourceType}/${id}/_history/${versionId} is not known`);
  if (version === undefined || !FHIR_ID_PATTERN.test(id)) throw missing;
  if (resourceType === 'ImagingStudy') {
    if (version !== 1) throw missing;
    return readImagingStudy(context, id);
  }
  if (!isVersioned(resourceType)) throw missing;
  if (resourceType === 'Task') {
    const task = await context.store.versions.findTaskVersion(id, version);
    if (!task) throw missing;
    return taskResource(context, task);
  }
  const row = await context.store.versions.findVersion(resourceType, id, version);
  if (!row) throw missing;
  return served(row);
}

function served(row: StoredResource): fhir4.FhirResource {
  return withMeta(row.resource, row.versionId, row.lastUpdated);
}

export interface HistoryRequest {
  readonly resourceType: string;
  /** Absent for type-level history. */
  readonly id?: string;
  readonly parameters: ReadonlyArray<readonly [string, string]>;
  /**
   * A patient-scoped token's patient: only versions in that patient's compartment are read, in the
   * query, so pages are full and `total` counts what the token may see; another patient's resource is
   * not known (404).
   */
  readonly patient?: string;
}

/**
 * `GET [type]/[id]/_history` and `GET [type]/_history`: a history Bundle, newest first, each entry
 * with the request that made the version (POST for version 1, PUT after) and its response
 * (http://hl7.org/fhir/R4/http.html#history). Honours _count, _offset and _since.
 */
export async function readHistory(context: ScoringContext, request: HistoryRequest): Promise<fhir4.Bundle> {
  if (!isVersioned(request.resourceType)) throw new AppError('RESOURCE.NOT_FOUND', `${request.resourceType} has no history here`);
  if (request.id !== undefined && !FHIR_ID_PATTERN.test(request.id)) throw new AppError('RESOURCE.NOT_FOUND', `${request.resourceType}/${request.id} is not known`);
  const value = (name: string): string | undefined => request.parameters.find(([key]) => key === name)?.[1];
  const count = Math.min(nonNegative(value('_count') ?? '20', '_count'), MAX_PAGE);
  const offset = nonNegative(value('_offset') ?? '0', '_offset');
  const sinceText = value('_since');
  const since = sinceText === undefined ? undefined : new Date(sinceText);
  if (since && (Number.isNaN(since.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(sinceText ?? ''))) throw new AppError('REQUEST.INVALID', '_since must be an instant', { expression: ['_since'] });
  const within = request.patient === undefined ? undefined : patientCompartmentCriterion(request.resourceType, request.patient);
  const query = { id: request.id, since, limit: count, offset, ...(within ? { within } : {}) };
  const page =
    request.resourceType === 'Task'
      ? await context.store.versions.taskHistory(query).then(async ({ rows, total }) => ({ resources: await taskResources(context, rows), total }))
      : await context.store.versions.history(request.resourceType, query).then(({ rows, total }) => ({ resources: rows.map(served), total }));
  if (request.id !== undefined && page.total === 0) throw new AppError('RESOURCE.NOT_FOUND', `${request.resourceType}/${request.id} is not known`);
  const base = context.fhir.baseUrl.replace(/\/+$/, '');
  const path = `${base}/${request.resourceType}${request.id !== undefined ? `/${request.id}` : ''}/_history`;
  const link = (at: number): string => `${path}?_count=${count}${at > 0 ? `&_offset=${at}` : ''}${sinceText ? `&_since=${encodeURIComponent(sinceText)}` : ''}`;
  const links: fhir4.BundleLink[] = [{ relation: 'self', url: link(offset) }];
  if (offset + count < page.total && count > 0) links.push({ relation: 'next', url: link(offset + count) });
  if (offset > 0) links.push({ relation: 'previous', url: link(Math.max(0, offset - Math.max(count, 1))) });
  const entry = page.resources.map((resource): fhir4.BundleEntry => {
    const first = resource.meta?.versionId === '1';
    return {
      fullUrl: `${base}/${resource.resourceType}/${resource.id}`,
      resource,
      request: { method: first ? 'POST' : 'PUT', url: first ? resource.resourceType : `${resource.resourceType}/${resource.id}` },
      response: { status: first ? '201' : '200', etag: `W/"${resource.meta?.versionId}"`, ...(resource.meta?.lastUpdated ? { lastModified: resource.meta.lastUpdated } : {}) },
    };
  });
  return { resourceType: 'Bundle', type: 'history', total: page.total, link: links, ...(entry.length > 0 ? { entry } : {}) };
}

function nonNegative(value: string, name: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new AppError('REQUEST.INVALID', `${name} must be a non-negative integer`, { expression: [name] });
  return Number(value);
}
