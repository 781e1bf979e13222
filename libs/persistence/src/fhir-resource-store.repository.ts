import { In, type DataSource, type EntityManager } from 'typeorm';
import { AppError } from '@brixia/common';
import { FhirResourceEntity } from './entities';
import { toFhirResourceRecord } from './entity-records.mapper';
import type { FhirResourceRecord } from './records';

/**
 * The one write of a published resource (fhir_resource), under one versioning rule: a resource is at
 * version 1 when first stored and gets a new version only when its content changes. Putting the same
 * content again (a redelivered job, a retried request) keeps the version and its first instant, so
 * idempotent redelivery creates no versions; last_updated is the time of the latest put. The trigger
 * on fhir_resource keeps every version for vread and _history (docs/architecture.md, "Storage").
 * Answers the version stored; pass the manager of the transaction the put belongs to.
 */
export async function putFhirResource(manager: EntityManager, resource: fhir4.FhirResource): Promise<number> {
  if (!resource.id) throw new AppError('INTERNAL', 'Resource without id');
  const answered = (await manager.query(
    `INSERT INTO fhir_resource (resource_type, id, version_id, resource, last_updated)
     VALUES ($1, $2, 1, $3, now())
     ON CONFLICT (resource_type, id) DO UPDATE
       SET resource = EXCLUDED.resource, last_updated = now(),
           version_id = CASE WHEN fhir_resource.resource = EXCLUDED.resource THEN fhir_resource.version_id ELSE fhir_resource.version_id + 1 END
     RETURNING version_id`,
    [resource.resourceType, resource.id, JSON.stringify(resource)],
  )) as unknown[];
  // TypeORM's postgres driver answers a write … RETURNING as rows, or as [rows, count] for an UPDATE.
  const rows = (Array.isArray(answered[0]) ? answered[0] : answered) as Array<{ version_id: number | string }>;
  return Number(rows[0]?.version_id);
}

/** The published FHIR resources (Observation, DiagnosticReport, Provenance, Device, Media, Binary): puts and reads. */
export class FhirResourceStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores one resource (see putFhirResource for its version); answers the version stored. */
  async put(resource: fhir4.FhirResource, manager: EntityManager = this.dataSource.manager): Promise<number> {
    return putFhirResource(manager, resource);
  }

  /** Stores several resources atomically (e.g. explanation images and their report). */
  async putAll(resources: readonly fhir4.FhirResource[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const resource of resources) await putFhirResource(manager, resource);
    });
  }

  async findResource(resourceType: string, id: string): Promise<FhirResourceRecord | null> {
    const row = await this.dataSource.manager.findOneBy(FhirResourceEntity, { resourceType, id });
    return row ? toFhirResourceRecord(row) : null;
  }

  /** Several resources of one type in ONE query, in the order of `ids` (missing ones left out). */
  async findResources(resourceType: string, ids: readonly string[]): Promise<FhirResourceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.manager.findBy(FhirResourceEntity, { resourceType, id: In([...ids]) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toFhirResourceRecord(row)] : [];
    });
  }
}
