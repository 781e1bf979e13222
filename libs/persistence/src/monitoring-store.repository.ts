import type { DataSource } from 'typeorm';
import { AppError, type Zone, type ZoneScore } from '@brixia/common';
import { BrixiaResultEntity, BrixiaReviewEntity, OutboxMessageEntity, PatientMonitoringEntity } from './entities';
import { toBrixiaResultRecord, toBrixiaReviewRecord, toPatientSummaryRecord } from './entity-records.mapper';
import { putFhirResource, type FhirResourceStore } from './fhir-resource-store.repository';
import type { NewOutboxMessage } from './outbox.repository';
import type { SubscriptionStore } from './subscription-store.repository';
import { insertAuditEvent, type NewAuditEvent } from './audit-store.repository';
import type { BrixiaResultRecord, BrixiaReviewRecord, PatientSummaryRecord, StoredResource } from './records';

export type { StoredResource } from './records';

/** One row of a patient's series, with the model's own values when a clinician overrode them. */
export interface SeriesRow {
  readonly id: string;
  readonly patientId: string;
  readonly imagingStudyId: string | null;
  readonly taskId: string | null;
  readonly acquiredAt: Date;
  readonly globalScore: number;
  readonly zoneScores: Record<Zone, ZoneScore>;
  readonly method: string;
  readonly status: string;
  readonly modelVersion: string | null;
  readonly versionId: number;
  readonly aiGlobalScore: number | null;
  readonly aiZoneScores: Record<Zone, ZoneScore> | null;
}

/** A review to apply: the result's new values, its FHIR resources, and the audit row. */
export interface ReviewWrite {
  readonly resultId: string;
  /** The version the reviewer read; the write fails with RESOURCE.VERSION_CONFLICT otherwise. */
  readonly expectedVersion: number;
  readonly status: string;
  readonly globalScore: number;
  readonly zoneScores: Record<Zone, ZoneScore>;
  readonly observation: fhir4.Observation;
  readonly provenance: fhir4.Provenance;
  readonly review: Omit<BrixiaReviewRecord, 'versionWritten' | 'reviewedAt'>;
  /** Optional DiagnosticReport to update with the reviewed status. */
  readonly diagnosticReport?: fhir4.DiagnosticReport;
  /** The revision's publication to the EHR the result was published to (transactional outbox). */
  readonly outbox?: NewOutboxMessage;
  /** The review's AuditEvent (built once the new version and the patient are known), in the same transaction. */
  readonly audit?: (written: { readonly versionId: number; readonly patientId: string }) => NewAuditEvent;
}

/** Where a result was queued for publication (its `result` outbox message). */
export interface ResultPublication {
  readonly destination: string;
  readonly taskId: string | null;
}

/** Filter and keyset position of the patient list (sorted by latest score desc, trend rank, id). */
export interface SummaryQuery {
  readonly trends?: readonly string[];
  readonly minLatestGlobal?: number;
  readonly maxLatestGlobal?: number;
  /** true: only patients with active alerts; false: only patients without. */
  readonly hasActiveAlerts?: boolean;
  /** Patient ids starting with this (FHIR id characters only: no LIKE wildcards can occur). */
  readonly patientIdPrefix?: string;
  readonly after?: { readonly latestGlobal: number; readonly trendRank: number; readonly patientId: string };
  readonly limit: number;
}

/** The stores MonitoringStore works with, given by the composition (createStores), never built inside it. */
export interface MonitoringStoreParts {
  /** The published FHIR resources (the one putFhirResource). */
  readonly resources: FhirResourceStore;
  /** Topic events, recorded in the transaction of the review that raises them. */
  readonly subscriptions: Pick<SubscriptionStore, 'recordEvent'>;
}

/** Serial-monitoring persistence: series reads, reviews with optimistic concurrency, the patient projection. */
export class MonitoringStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly parts: MonitoringStoreParts,
  ) {}

  /** The series of several patients in ONE query (the DataLoader batch), grouped by patient. */
  async listSeries(patientIds: readonly string[]): Promise<Map<string, SeriesRow[]>> {
    const byPatient = new Map<string, SeriesRow[]>(patientIds.map((id) => [id, []]));
    if (patientIds.length === 0) return byPatient;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT r.id, r.patient_id, r.imaging_study_id, r.task_id, r.acquired_at, r.global_score, r.zone_scores, r.method, r.status,
              r.model_version, r.version_id, ai.previous_global AS ai_global, ai.previous_zone_scores AS ai_zones
         FROM brixia_result r
         LEFT JOIN LATERAL (
           SELECT v.previous_global, v.previous_zone_scores FROM brixia_review v
            WHERE v.result_id = r.id AND v.action = 'override' ORDER BY v.version_written ASC LIMIT 1
         ) ai ON r.status IN ('amended', 'corrected')
        WHERE r.patient_id = ANY($1) AND r.superseded_by IS NULL
        ORDER BY r.patient_id, r.acquired_at, r.id`,
      [[...patientIds]],
    );
    for (const row of rows) {
      const patientId = String(row['patient_id']);
      byPatient.get(patientId)?.push({
        id: String(row['id']),
        patientId,
        imagingStudyId: (row['imaging_study_id'] as string | null) ?? null,
        taskId: (row['task_id'] as string | null) ?? null,
        acquiredAt: new Date(row['acquired_at'] as string),
        globalScore: Number(row['global_score']),
        zoneScores: row['zone_scores'] as Record<Zone, ZoneScore>,
        method: String(row['method']),
        status: String(row['status']),
        modelVersion: (row['model_version'] as string | null) ?? null,
        versionId: Number(row['version_id']),
        aiGlobalScore: row['ai_global'] === null || row['ai_global'] === undefined ? null : Number(row['ai_global']),
        aiZoneScores: (row['ai_zones'] as Record<Zone, ZoneScore> | null) ?? null,
      });
    }
    return byPatient;
  }

  async findResult(id: string): Promise<BrixiaResultRecord | null> {
    const row = await this.dataSource.manager.findOneBy(BrixiaResultEntity, { id });
    return row ? toBrixiaResultRecord(row) : null;
  }

  /** Results by id in ONE query (DataLoader batch). */
  async findResults(ids: readonly string[]): Promise<BrixiaResultRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.manager.createQueryBuilder(BrixiaResultEntity, 'r').where('r.id = ANY(:ids)', { ids: [...ids] }).getMany();
    return rows.map(toBrixiaResultRecord);
  }

  /** Resources of one type by id with their versions, in ONE query, in the order of `ids` (missing ones left out). */
  async findStoredResources(resourceType: string, ids: readonly string[]): Promise<StoredResource[]> {
    const rows = await this.parts.resources.findResources(resourceType, ids);
    return rows.map((row) => ({ resource: row.resource, versionId: row.versionId, lastUpdated: row.lastUpdated }));
  }

  /** The DiagnosticReport published with a result (by its scoring task), if any. */
  async findReportIdForResult(resultId: string): Promise<string | null> {
    const rows: Array<{ diagnostic_report_id: string | null }> = await this.dataSource.query(
      `SELECT diagnostic_report_id FROM scoring_task WHERE observation_id = $1 LIMIT 1`,
      [resultId],
    );
    return rows[0]?.diagnostic_report_id ?? null;
  }

  /**
   * Where the result was published, or null when it was not (a study not from an EHR). The `result`
   * message is written with the result, so it exists before any review can be applied.
   */
  async findPublication(resultId: string): Promise<ResultPublication | null> {
    const message = await this.dataSource.manager.findOne(OutboxMessageEntity, { select: { destination: true, taskId: true }, where: { resultId, kind: 'result' } });
    return message ? { destination: message.destination, taskId: message.taskId } : null;
  }

  async findReviews(resultId: string): Promise<BrixiaReviewRecord[]> {
    const rows = await this.dataSource.manager.find(BrixiaReviewEntity, { where: { resultId }, order: { versionWritten: 'ASC' } });
    return rows.map(toBrixiaReviewRecord);
  }

  /**
   * Applies a review atomically: bumps the result's version only if it is still the one the
   * reviewer read (compare-and-set), then stores the Observation (whose version is the result's, see
   * below), the revision Provenance, the audit row and the revision's outbox message. Returns the new version.
   */
  async applyReview(write: ReviewWrite): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const updated: Array<{ version_id: number; patient_id: string }> = await manager.query(
        `UPDATE brixia_result SET status = $3, global_score = $4, zone_scores = $5, version_id = version_id + 1, updated_at = now()
          WHERE id = $1 AND version_id = $2 AND superseded_by IS NULL RETURNING version_id, patient_id`,
        [write.resultId, write.expectedVersion, write.status, write.globalScore, JSON.stringify(write.zoneScores)],
      );
      const row = Array.isArray(updated[0]) ? (updated[0] as Array<{ version_id: number; patient_id: string }>)[0] : updated[0];
      if (!row) {
        const current = await manager.findOneBy(BrixiaResultEntity, { id: write.resultId });
        if (!current) throw new AppError('RESOURCE.NOT_FOUND', `Observation/${write.resultId} is not known`);
        if (current.supersededBy) {
          throw new AppError('RESOURCE.SUPERSEDED', `Observation/${write.resultId} is no longer its ImagingStudy's timeline point: review Observation/${current.supersededBy}, from a better instance`, {
            details: { supersededBy: current.supersededBy },
          });
        }
        throw new AppError('RESOURCE.VERSION_CONFLICT', `Observation/${write.resultId} is at version ${current.versionId}, not the version ${write.expectedVersion} that was read`, {
          details: { currentVersion: current.versionId, expectedVersion: write.expectedVersion },
        });
      }
      const version = Number(row.version_id);
      // The Observation's version is its result's (the ETag a reviewer's If-Match is checked against): both are
      // written at 1 with the result and change together at each review, whose note always changes the content,
      // so putFhirResource's rule (a new version only on a change) moves it in step. A mismatch is a defect.
      const observationVersion = await putFhirResource(manager, write.observation);
      if (observationVersion !== version) {
        throw new AppError('INTERNAL', `Observation/${write.resultId} would be stored at version ${observationVersion}, its result is at ${version}`);
      }
      for (const resource of [write.provenance, ...(write.diagnosticReport ? [write.diagnosticReport] : [])]) await putFhirResource(manager, resource);
      await manager.insert(BrixiaReviewEntity, { ...write.review, versionWritten: version });
      // Same transaction: a review is never stored without its publication, nor published without being stored.
      if (write.outbox) await manager.insert(OutboxMessageEntity, { ...write.outbox, state: 'pending', attempts: 0 });
      // The Subscriptions topic covers updated results too: a review is announced like a new result.
      await this.parts.subscriptions.recordEvent({ focus: `Observation/${write.resultId}`, patientId: row.patient_id }, manager);
      if (write.audit) await insertAuditEvent(manager, write.audit({ versionId: version, patientId: row.patient_id }));
      return version;
    });
  }

  async upsertSummaries(rows: readonly Omit<PatientSummaryRecord, 'refreshedAt'>[]): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.manager.upsert(PatientMonitoringEntity, rows.map((row) => ({ ...row, activeAlerts: [...row.activeAlerts], refreshedAt: new Date() })), ['patientId']);
  }

  async deleteSummaries(patientIds: readonly string[]): Promise<void> {
    if (patientIds.length === 0) return;
    await this.dataSource.manager.createQueryBuilder().delete().from(PatientMonitoringEntity).where('patient_id = ANY(:ids)', { ids: [...patientIds] }).execute();
  }

  /** One page of the patient list (limit + 1 rows read to know whether another page follows). */
  async listSummaries(query: SummaryQuery): Promise<{ rows: PatientSummaryRecord[]; hasNext: boolean }> {
    const qb = this.dataSource.manager.createQueryBuilder(PatientMonitoringEntity, 'p');
    if (query.trends && query.trends.length > 0) qb.andWhere('p.trend = ANY(:trends)', { trends: [...query.trends] });
    if (query.minLatestGlobal !== undefined) qb.andWhere('p.latest_global >= :minG', { minG: query.minLatestGlobal });
    if (query.maxLatestGlobal !== undefined) qb.andWhere('p.latest_global <= :maxG', { maxG: query.maxLatestGlobal });
    if (query.hasActiveAlerts !== undefined) qb.andWhere(query.hasActiveAlerts ? 'p.active_alert_count > 0' : 'p.active_alert_count = 0');
    if (query.patientIdPrefix !== undefined) qb.andWhere('starts_with(p.patient_id, :prefix)', { prefix: query.patientIdPrefix });
    if (query.after) {
      qb.andWhere(
        '(p.latest_global < :ag OR (p.latest_global = :ag AND (p.trend_rank > :ar OR (p.trend_rank = :ar AND p.patient_id > :ap))))',
        { ag: query.after.latestGlobal, ar: query.after.trendRank, ap: query.after.patientId },
      );
    }
    const rows = await qb.orderBy('p.latest_global', 'DESC').addOrderBy('p.trend_rank', 'ASC').addOrderBy('p.patient_id', 'ASC').take(query.limit + 1).getMany();
    return { rows: rows.slice(0, query.limit).map(toPatientSummaryRecord), hasNext: rows.length > query.limit };
  }

  async findSummaries(patientIds: readonly string[]): Promise<PatientSummaryRecord[]> {
    if (patientIds.length === 0) return [];
    const rows = await this.dataSource.manager.createQueryBuilder(PatientMonitoringEntity, 'p').where('p.patient_id = ANY(:ids)', { ids: [...patientIds] }).getMany();
    return rows.map(toPatientSummaryRecord);
  }

  /** Patients whose results changed after their projection row was computed (or that have none). */
  async stalePatientIds(limit = 1000): Promise<Array<{ patientId: string; sourceUpdatedAt: Date }>> {
    const rows: Array<{ patient_id: string; updated: string }> = await this.dataSource.query(
      `SELECT r.patient_id, max(r.updated_at) AS updated FROM brixia_result r
         LEFT JOIN patient_monitoring p ON p.patient_id = r.patient_id
        GROUP BY r.patient_id, p.source_updated_at
       HAVING p.source_updated_at IS NULL OR max(r.updated_at) > p.source_updated_at
        LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({ patientId: row.patient_id, sourceUpdatedAt: new Date(row.updated) }));
  }

  /** Newest change time of each patient's results (the projection's staleness watermark). */
  async sourceUpdatedAt(patientIds: readonly string[]): Promise<Map<string, Date>> {
    if (patientIds.length === 0) return new Map();
    const rows: Array<{ patient_id: string; updated: string }> = await this.dataSource.query(
      `SELECT patient_id, max(updated_at) AS updated FROM brixia_result WHERE patient_id = ANY($1) GROUP BY patient_id`,
      [[...patientIds]],
    );
    return new Map(rows.map((row) => [row.patient_id, new Date(row.updated)]));
  }

  /** The newest `max` Brixia Observations of a patient, newest first (Observation/$lastn). */
  /** `subjectReference`: only results whose Observation names that Patient (an EHR's, by absolute URL). */
  async lastObservations(patientId: string, max: number, subjectReference?: string): Promise<StoredResource[]> {
    const rows: Array<{ resource: fhir4.FhirResource; version_id: number; last_updated: string }> = await this.dataSource.query(
      `SELECT f.resource, f.version_id, f.last_updated FROM brixia_result r
         JOIN fhir_resource f ON f.resource_type = 'Observation' AND f.id = r.id
        WHERE r.patient_id = $1 AND r.status <> 'entered-in-error' AND r.superseded_by IS NULL
          AND ($3::text IS NULL OR f.resource->'subject'->>'reference' = $3)
        ORDER BY r.acquired_at DESC, r.id DESC LIMIT $2`,
      [patientId, max, subjectReference ?? null],
    );
    return rows.map((row) => ({ resource: row.resource, versionId: Number(row.version_id), lastUpdated: new Date(row.last_updated) }));
  }

  /** Bulk insert of results (imports of radiologist scores, benchmarks, tests); no FHIR resources. */
  async importResults(rows: readonly Omit<BrixiaResultRecord, 'createdAt' | 'updatedAt' | 'versionId' | 'instanceQuality' | 'supersededBy' | 'alignment'>[]): Promise<void> {
    const chunk = 500;
    for (let i = 0; i < rows.length; i += chunk) {
      await this.dataSource.manager.createQueryBuilder().insert().into(BrixiaResultEntity).values(rows.slice(i, i + chunk).map((row) => ({ ...row, versionId: 1 }))).execute();
    }
  }
}
