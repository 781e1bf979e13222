import { randomUUID } from 'node:crypto';
import { forPublication } from '@brixia/fhir';
import type { ImagingStudyRecord, NewOutboxMessage } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';

/** The EHR's Patient, which results reference by absolute URL, is a relative reference on that EHR itself. */
function patientOnTheEhr(study: ImagingStudyRecord | null, ehrBaseUrl: string): Record<string, string> {
  const reference = study?.resource.subject?.reference;
  const base = `${ehrBaseUrl.replace(/\/+$/, '')}/`;
  return reference?.startsWith(base) ? { [reference]: reference.slice(base.length) } : {};
}

/**
 * The outbox message publishing a result back to the EHR its study came from (meta.source of our copy),
 * or undefined for studies that did not come from an EHR. Resources are in dependency order (Device,
 * Observation, DiagnosticReport, Provenance) and carry identifiers for `If-None-Exist` (forPublication,
 * shared with the revisions a review publishes); the study reference is mapped to the EHR's own
 * ImagingStudy up front. A result superseding another as its study's point names it (delivered after it).
 */
export function publicationFor(
  context: ScoringContext,
  taskId: string,
  study: ImagingStudyRecord | null,
  resources: readonly fhir4.FhirResource[],
  resultId: string,
  supersedesResultId?: string,
): NewOutboxMessage | undefined {
  const source = study?.source === 'external' ? study.resource.meta?.source : undefined;
  if (!source || !context.external) return undefined;
  const located = context.external.ehr.serverFor(source);
  return {
    id: randomUUID(),
    resultId,
    taskId,
    kind: 'result',
    destination: located.server.baseUrl,
    payload: {
      resources: resources.map((resource) => forPublication(context.fhir, resource)),
      initialRemoteIds: { [`ImagingStudy/${study?.id}`]: located.relativePath, ...patientOnTheEhr(study, located.server.baseUrl) },
      ...(supersedesResultId ? { supersedesResultId } : {}),
    },
  };
}
