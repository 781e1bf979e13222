import { AppError } from '@brixia/common';
import { brixiaCodeSystemUrl, buildScoringTask, searchsetBundle, BRIXIA_CODES } from '@brixia/fhir';
import type { ScoringTaskEntity } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';

/** A stored resource as served, with its meta filled from the store. */
export async function readResource(context: ScoringContext, resourceType: string, id: string): Promise<fhir4.FhirResource> {
  const row = await context.store.findResource(resourceType, id);
  if (!row) throw new AppError('RESOURCE.NOT_FOUND', `${resourceType}/${id} is not known`);
  return withMeta(row.resource, row.versionId, row.lastUpdated);
}

export async function readImagingStudy(context: ScoringContext, id: string): Promise<fhir4.ImagingStudy> {
  const study = await context.store.findStudy(id);
  if (!study) throw new AppError('RESOURCE.NOT_FOUND', `ImagingStudy/${id} is not known`);
  return study.resource;
}

/** The Task of a scoring request, built from its durable record. */
export async function readTask(context: ScoringContext, id: string): Promise<fhir4.Task> {
  const task = await context.store.findTask(id);
  if (!task) throw new AppError('RESOURCE.NOT_FOUND', `Task/${id} is not known`);
  return taskResource(context, task);
}

export function taskResource(context: ScoringContext, task: ScoringTaskEntity): fhir4.Task {
  return buildScoringTask(context.fhir, {
    id: task.id,
    status: task.status,
    businessStatus: task.businessStatus,
    failure: task.failure ? { code: task.failure.code as never, message: task.failure.message } : undefined,
    imagingStudyId: task.imagingStudyId ?? undefined,
    patientId: task.patientId ?? undefined,
    authoredOn: task.authoredAt.toISOString(),
    lastModified: task.updatedAt.toISOString(),
    observationId: task.observationId ?? undefined,
    diagnosticReportId: task.diagnosticReportId ?? undefined,
    identifier: { system: `${context.fhir.canonicalBase}/identifiers/scoring-request`, value: task.dedupeKey },
    requestId: task.requestId ?? undefined,
  });
}

export interface ObservationSearch {
  readonly subject?: string;
  readonly patient?: string;
  readonly code?: string;
  readonly sort?: string;
  readonly count?: string;
  readonly offset?: string;
}

const MAX_PAGE = 100;

/** `GET Observation?subject=…&code=…&_sort=date` over the timeline projection, as a searchset Bundle. */
export async function searchObservations(context: ScoringContext, query: ObservationSearch, selfUrl: string): Promise<fhir4.Bundle> {
  const subject = query.subject ?? query.patient;
  if (!subject) throw new AppError('REQUEST.INVALID', 'Search needs subject (or patient): results are served per patient', { expression: ['subject'] });
  const patientId = subject.replace(/^Patient\//, '');
  if (query.code !== undefined && !matchesGlobalCode(context, query.code)) {
    return searchsetBundle({ resources: [], total: 0, selfUrl, baseUrl: context.fhir.baseUrl });
  }
  const sort = query.sort ?? 'date';
  if (sort !== 'date' && sort !== '-date') throw new AppError('REQUEST.INVALID', '_sort supports date and -date', { expression: ['_sort'] });
  const count = parseNonNegative(query.count, 20, '_count');
  const offset = parseNonNegative(query.offset, 0, '_offset');
  const limit = Math.min(count, MAX_PAGE);
  const { results, total } = await context.store.listResults({ patientId, order: sort === 'date' ? 'ASC' : 'DESC', limit, offset });
  const rows = await context.store.findResources('Observation', results.map((r) => r.id));
  const page = (nextOffset: number): string => {
    const url = new URL(selfUrl);
    url.searchParams.set('_offset', String(nextOffset));
    url.searchParams.set('_count', String(limit));
    return url.toString();
  };
  return searchsetBundle({
    resources: rows.map((row) => withMeta(row.resource, row.versionId, row.lastUpdated)),
    total,
    selfUrl,
    nextUrl: offset + limit < total ? page(offset + limit) : undefined,
    previousUrl: offset > 0 ? page(Math.max(0, offset - limit)) : undefined,
    baseUrl: context.fhir.baseUrl,
  });
}

function matchesGlobalCode(context: ScoringContext, code: string): boolean {
  return code.split(',').some((token) => {
    const [system, value] = token.includes('|') ? token.split('|') : [undefined, token];
    return value === BRIXIA_CODES.global && (system === undefined || system === '' || system === brixiaCodeSystemUrl(context.fhir));
  });
}

function parseNonNegative(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new AppError('REQUEST.INVALID', `${name} must be a non-negative integer`, { expression: [name] });
  return parsed;
}

function withMeta<T extends fhir4.FhirResource>(resource: T, versionId: number, lastUpdated: Date): T {
  return { ...resource, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}
