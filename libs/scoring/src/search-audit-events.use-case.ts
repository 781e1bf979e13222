import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN, parseDateSearch, searchsetBundle, type FhirConfig } from '@brixia/fhir';
import type { AuditStore } from '@brixia/persistence';
import { parseNonNegative } from './read-results.use-case';

/** `GET /fhir/AuditEvent` parameters as received (each given at most once; `date` may repeat). */
export interface AuditEventSearch {
  readonly patient?: string;
  readonly agent?: string;
  readonly entity?: string;
  readonly date?: readonly string[];
  readonly count?: string;
  readonly offset?: string;
}

const MAX_PAGE = 500;
const REFERENCE = /^(?:.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

/**
 * Searches the audit trail (http://hl7.org/fhir/R4/auditevent.html#search): `patient` (id or
 * Patient/id), `agent` (client id, token subject or fhirUser reference), `entity` (a reference,
 * relative or absolute), `date` (recorded, with prefixes); newest first, paged with _count/_offset.
 */
export async function searchAuditEvents(context: { readonly audit: AuditStore; readonly fhir: FhirConfig }, query: AuditEventSearch, selfUrl: string): Promise<fhir4.Bundle> {
  const patient = query.patient?.replace(/^(?:.*\/)?Patient\//, '');
  if (patient !== undefined && !FHIR_ID_PATTERN.test(patient)) throw new AppError('REQUEST.INVALID', 'patient must be a Patient id or reference', { expression: ['patient'] });
  let entity: string | undefined;
  if (query.entity !== undefined) {
    const match = REFERENCE.exec(query.entity);
    if (!match) throw new AppError('REQUEST.INVALID', 'entity must be a reference Type/id', { expression: ['entity'] });
    entity = `${match[1]}/${match[2]}`;
  }
  if (query.agent !== undefined && (query.agent.length === 0 || query.agent.length > 256)) throw new AppError('REQUEST.INVALID', 'agent must be 1 to 256 characters', { expression: ['agent'] });
  const limit = Math.min(parseNonNegative(query.count, 50, '_count'), MAX_PAGE);
  const offset = parseNonNegative(query.offset, 0, '_offset');
  if (offset > Number.MAX_SAFE_INTEGER) throw new AppError('REQUEST.INVALID', '_offset is out of range', { expression: ['_offset'] });
  const recorded = (query.date ?? []).flatMap((value) => parseDateSearch(value, 'date'));
  const { events, total } = await context.audit.search({ patient, agent: query.agent, entity, recorded, limit, offset });
  const page = (nextOffset: number): string => {
    const url = new URL(selfUrl);
    url.searchParams.set('_offset', String(nextOffset));
    url.searchParams.set('_count', String(limit));
    return url.toString();
  };
  return searchsetBundle({
    resources: events,
    total,
    selfUrl,
    nextUrl: offset + limit < total ? page(offset + limit) : undefined,
    previousUrl: offset > 0 ? page(Math.max(0, offset - limit)) : undefined,
    baseUrl: context.fhir.baseUrl,
  });
}
