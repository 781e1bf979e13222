import type { DataSource } from 'typeorm';
import { AppError } from '@brixia/common';
import type { SearchCriterion, SearchSort } from '@brixia/fhir';

import type { StoredResource } from './monitoring-store.repository';

/** Which table a search runs on: the published resources, or the ImagingStudies (versioned once). */
export type SearchSource = 'fhir_resource' | 'imaging_study';

export interface StoredSearch {
  readonly source: SearchSource;
  readonly resourceType: string;
  readonly criteria: readonly SearchCriterion[];
  readonly sort?: SearchSort;
  readonly limit: number;
  readonly offset: number;
}

const SOURCES: Record<SearchSource, { readonly table: string; readonly version: string; readonly lastUpdated: string; readonly typed: boolean }> = {
  fhir_resource: { table: 'fhir_resource', version: 'version_id', lastUpdated: 'last_updated', typed: true },
  imaging_study: { table: 'imaging_study', version: '1', lastUpdated: 'updated_at', typed: false },
};

/** Element names come from the search registry, never from a request; checked anyway as they are spliced into SQL. */
function topLevel(element: string): string {
  if (!/^[A-Za-z]+$/.test(element)) throw new AppError('INTERNAL', `Not a top-level element: ${element}`);
  return element;
}

function elementColumn(element: string, resource = 'resource'): string {
  return `(${resource}->>'${topLevel(element)}')::timestamptz`;
}

/** The columns a criterion reads: the stored JSON and the last-updated instant (qualified when the query aliases its table). */
export interface CriterionColumns {
  readonly resource: string;
  readonly lastUpdated: string;
  readonly id: string;
}

/**
 * One criterion as a SQL condition; `bind` adds a parameter and returns its placeholder. Shared by
 * search and history, so a patient's compartment means the same in both: the reference names
 * `Patient/<id>` relative or under any base (libs/fhir referenceNamesPatient), as the read checks do.
 */
export function criterionSql(criterion: SearchCriterion, columns: CriterionColumns, bind: (value: unknown) => string): string {
  switch (criterion.kind) {
    case 'contains':
      return criterion.fragments.length === 0 ? 'false' : `(${criterion.fragments.map((fragment) => `${columns.resource} @> ${bind(JSON.stringify(fragment))}::jsonb`).join(' OR ')})`;
    case 'date':
      return criterion.bounds.map((bound) => `${elementColumn(criterion.element, columns.resource)} ${bound.op === 'ge' ? '>=' : '<'} ${bind(bound.at)}`).join(' AND ') || 'true';
    case 'lastUpdated':
      return criterion.bounds.map((bound) => `${columns.lastUpdated} ${bound.op === 'ge' ? '>=' : '<'} ${bind(bound.at)}`).join(' AND ') || 'true';
    case 'id':
      return criterion.ids.length === 0 ? 'false' : `${columns.id} = ANY(${bind([...criterion.ids])}::text[])`;
    case 'patient': {
      // FHIR ids hold no LIKE wildcard (% _) nor its escape character (backslash); checked since the id goes into a pattern.
      if (!/^[A-Za-z0-9\-.]{1,64}$/.test(criterion.patientId)) return 'false';
      const reference = `(${columns.resource}->'${topLevel(criterion.element)}'->>'reference')`;
      return `(${reference} = ${bind(`Patient/${criterion.patientId}`)} OR ${reference} LIKE ${bind(`%/Patient/${criterion.patientId}`)})`;
    }
  }
}

/**
 * Search translated to SQL over the stored JSON: a token or reference criterion is jsonb containment
 * (`resource @> fragment`, GIN-indexed, alternatives ORed), dates compare the element cast to
 * timestamptz, _lastUpdated and _id use their columns. Criteria come from the registry in libs/fhir.
 */
export class ResourceSearchStore {
  constructor(private readonly dataSource: DataSource) {}

  async search(query: StoredSearch): Promise<{ rows: StoredResource[]; total: number }> {
    const source = SOURCES[query.source];
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = source.typed ? [`resource_type = ${bind(query.resourceType)}`] : [];
    for (const criterion of query.criteria) where.push(criterionSql(criterion, { resource: 'resource', lastUpdated: source.lastUpdated, id: 'id' }, bind));
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const counted: Array<{ total: string }> = await this.dataSource.query(`SELECT count(*) AS total FROM ${source.table} ${filter}`, params);
    const total = Number(counted[0]?.total ?? 0);
    if (query.limit === 0 || total === 0) return { rows: [], total };
    const direction = query.sort?.descending ? 'DESC' : 'ASC';
    const key = query.sort?.by.kind === 'dateTime' ? elementColumn(query.sort.by.element) : source.lastUpdated;
    const rows: Array<{ resource: fhir4.FhirResource; version_id: number | string; last_updated: Date }> = await this.dataSource.query(
      `SELECT resource, ${source.version} AS version_id, ${source.lastUpdated} AS last_updated FROM ${source.table} ${filter}
        ORDER BY ${key} ${direction} NULLS LAST, id ${direction} LIMIT ${bind(query.limit)} OFFSET ${bind(query.offset)}`,
      params,
    );
    return { rows: rows.map((row) => ({ resource: row.resource, versionId: Number(row.version_id), lastUpdated: new Date(row.last_updated) })), total };
  }
}
