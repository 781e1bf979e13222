import type { DataSource } from 'typeorm';
import { FhirResourceVersionEntity, ScoringTaskVersionEntity } from './entities';
import type { ScoringTaskRecord, StoredResource } from './records';

export interface HistoryPage<T> {
  readonly rows: readonly T[];
  readonly total: number;
}

export interface HistoryQuery {
  readonly id?: string;
  /** `_since`: versions recorded at or after this instant. */
  readonly since?: Date;
  readonly limit: number;
  readonly offset: number;
}

/** A Task record as it was at one version (from its snapshot). */
export type TaskVersion = ScoringTaskRecord;

/** Versions of published resources and of scoring Tasks (kept by triggers, see the migration). */
export class ResourceHistoryStore {
  constructor(private readonly dataSource: DataSource) {}

  async findVersion(resourceType: string, id: string, versionId: number): Promise<StoredResource | null> {
    const row = await this.dataSource.manager.findOneBy(FhirResourceVersionEntity, { resourceType, id, versionId });
    return row ? { resource: row.resource, versionId: row.versionId, lastUpdated: row.lastUpdated } : null;
  }

  /** Newest first (R4 history: "sorted with oldest versions last"). */
  async history(resourceType: string, query: HistoryQuery): Promise<HistoryPage<StoredResource>> {
    const builder = this.dataSource.manager.createQueryBuilder(FhirResourceVersionEntity, 'h').where('h.resource_type = :resourceType', { resourceType });
    if (query.id !== undefined) builder.andWhere('h.id = :id', { id: query.id });
    if (query.since) builder.andWhere('h.last_updated >= :since', { since: query.since });
    const [rows, total] = await builder.orderBy('h.last_updated', 'DESC').addOrderBy('h.version_id', 'DESC').addOrderBy('h.id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { rows: rows.map((row) => ({ resource: row.resource, versionId: row.versionId, lastUpdated: row.lastUpdated })), total };
  }

  async findTaskVersion(id: string, versionId: number): Promise<TaskVersion | null> {
    const row = await this.dataSource.manager.findOneBy(ScoringTaskVersionEntity, { taskId: id, versionId });
    return row ? taskFromSnapshot(row.snapshot) : null;
  }

  async taskHistory(query: HistoryQuery): Promise<HistoryPage<TaskVersion>> {
    const builder = this.dataSource.manager.createQueryBuilder(ScoringTaskVersionEntity, 'h');
    if (query.id !== undefined) builder.andWhere('h.task_id = :id', { id: query.id });
    if (query.since) builder.andWhere('h.recorded_at >= :since', { since: query.since });
    const [rows, total] = await builder.orderBy('h.recorded_at', 'DESC').addOrderBy('h.version_id', 'DESC').addOrderBy('h.task_id', 'ASC').take(query.limit).skip(query.offset).getManyAndCount();
    return { rows: rows.map((row) => taskFromSnapshot(row.snapshot)), total };
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A scoring_task row from its to_jsonb snapshot (snake_case keys, timestamps as ISO text). */
function taskFromSnapshot(snapshot: Record<string, unknown>): TaskVersion {
  return {
    id: String(snapshot['id']),
    dedupeKey: String(snapshot['dedupe_key']),
    status: snapshot['status'] as TaskVersion['status'],
    businessStatus: snapshot['business_status'] as TaskVersion['businessStatus'],
    failure: (snapshot['failure'] as TaskVersion['failure']) ?? null,
    imagingStudyId: text(snapshot['imaging_study_id']),
    imageId: text(snapshot['image_id']),
    patientId: text(snapshot['patient_id']),
    modelVersion: String(snapshot['model_version']),
    requestId: text(snapshot['request_id']),
    attempts: Number(snapshot['attempts'] ?? 0),
    observationId: text(snapshot['observation_id']),
    diagnosticReportId: text(snapshot['diagnostic_report_id']),
    skipped: (snapshot['skipped'] as TaskVersion['skipped']) ?? null,
    versionId: Number(snapshot['version_id']),
    authoredAt: new Date(String(snapshot['authored_at'])),
    updatedAt: new Date(String(snapshot['updated_at'])),
  };
}
