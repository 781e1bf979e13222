import { AppError } from '@brixia/common';
import { buildScoringTask, FHIR_ID_PATTERN } from '@brixia/fhir';
import type { ScoringTaskRecord } from '@brixia/persistence';
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
export function taskResource(context: ScoringContext, task: ScoringTaskRecord): fhir4.Task {
  return withMeta(taskOf(context, task), task.versionId, task.updatedAt);
}

function taskOf(context: ScoringContext, task: ScoringTaskRecord): fhir4.Task {
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

// Count parsing of the AuditEvent search (dates go through libs/fhir's parseDateSearch, like every search).
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
