import { AppError } from '@brixia/common';
import { buildScoringTask, FHIR_ID_PATTERN } from '@brixia/fhir';
import type { ScoringTaskEntity } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';

/** A stored resource as served, with its meta filled from the store. */
export async function readResource(context: ScoringContext, resourceType: string, id: string): Promise<fhir4.FhirResource> {
  // An id outside the FHIR id grammar cannot name a stored resource; checking first also keeps bytes
  // PostgreSQL rejects in text (NUL) away from the query, which would otherwise surface as a 500.
  const row = FHIR_ID_PATTERN.test(id) ? await context.store.findResource(resourceType, id) : null;
  if (!row) throw new AppError('RESOURCE.NOT_FOUND', `${resourceType}/${id} is not known`);
  return withMeta(row.resource, row.versionId, row.lastUpdated);
}

/** An ImagingStudy as served; studies are never rewritten, so each has the one version 1. */
export async function readImagingStudy(context: ScoringContext, id: string): Promise<fhir4.ImagingStudy> {
  const study = FHIR_ID_PATTERN.test(id) ? await context.store.findStudy(id) : null;
  if (!study) throw new AppError('RESOURCE.NOT_FOUND', `ImagingStudy/${id} is not known`);
  return withMeta(study.resource, 1, study.updatedAt);
}

/** The Task of a scoring request, built from its durable record. */
export async function readTask(context: ScoringContext, id: string): Promise<fhir4.Task> {
  const task = FHIR_ID_PATTERN.test(id) ? await context.store.findTask(id) : null;
  if (!task) throw new AppError('RESOURCE.NOT_FOUND', `Task/${id} is not known`);
  return taskResource(context, task);
}

/** The Task as served from its record (or a version's snapshot), with meta.versionId and lastUpdated. */
export function taskResource(context: ScoringContext, task: ScoringTaskEntity): fhir4.Task {
  return withMeta(taskOf(context, task), task.versionId, task.updatedAt);
}

function taskOf(context: ScoringContext, task: ScoringTaskEntity): fhir4.Task {
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
    skipped: task.skipped ?? undefined,
  });
}

// Date and count parsing of the AuditEvent search (the FHIR resource searches use libs/fhir's search registry).
/**
 * A FHIR date search value as instant bounds (http://hl7.org/fhir/R4/search.html#date): the value is
 * a range at its precision (a day, a month…); eq = within it, ge/gt/le/lt compare with its edges.
 */
export function parseDateSearch(value: string): Array<{ op: 'ge' | 'gt' | 'le' | 'lt'; at: Date }> {
  const match = /^(eq|ge|gt|le|lt)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?)$/.exec(value);
  if (!match) throw new AppError('REQUEST.INVALID', 'date must be [eq|ge|gt|le|lt]YYYY[-MM[-DD[Thh:mm[:ss]zone]]]', { expression: ['date'] });
  const prefix = (match[1] ?? 'eq') as 'eq' | 'ge' | 'gt' | 'le' | 'lt';
  const text = match[2];
  const [start, end] = dateRange(text);
  switch (prefix) {
    case 'eq':
      return [{ op: 'ge', at: start }, { op: 'lt', at: end }];
    case 'ge':
      return [{ op: 'ge', at: start }];
    case 'gt':
      return [{ op: 'ge', at: end }];
    case 'le':
      return [{ op: 'lt', at: end }];
    case 'lt':
      return [{ op: 'lt', at: start }];
  }
}

/** [start, end) of a FHIR date/dateTime at its precision (dates without a zone are taken as UTC). */
function dateRange(text: string): [Date, Date] {
  if (text.includes('T')) {
    const at = new Date(text);
    if (Number.isNaN(at.getTime())) throw new AppError('REQUEST.INVALID', `date ${text} is not a valid date-time`, { expression: ['date'] });
    const hasSeconds = /T\d{2}:\d{2}:\d{2}/.test(text);
    return [at, new Date(at.getTime() + (hasSeconds ? 1000 : 60_000))];
  }
  const [year, month, day] = text.split('-').map(Number);
  const start = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
  // Date.UTC rolls 2024-13-45 over into 2025: a value that does not round-trip is not a date.
  if (start.getUTCMonth() !== (month ?? 1) - 1 || start.getUTCDate() !== (day ?? 1)) {
    throw new AppError('REQUEST.INVALID', `date ${text} is not a calendar date`, { expression: ['date'] });
  }
  const end = day !== undefined ? new Date(Date.UTC(year, month - 1, day + 1)) : month !== undefined ? new Date(Date.UTC(year, month, 1)) : new Date(Date.UTC(year + 1, 0, 1));
  return [start, end];
}


/** A non-negative integer search parameter (`_count`, `_offset`), `fallback` when absent. */
export function parseNonNegative(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new AppError('REQUEST.INVALID', `${name} must be a non-negative integer`, { expression: [name] });
  return parsed;
}

/** A stored resource with meta.versionId and meta.lastUpdated from its record. */
export function withMeta<T extends fhir4.FhirResource>(resource: T, versionId: number, lastUpdated: Date): T {
  return { ...resource, meta: { ...resource.meta, versionId: String(versionId), lastUpdated: lastUpdated.toISOString() } };
}
