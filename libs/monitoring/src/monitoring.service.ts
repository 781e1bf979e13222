import { randomUUID } from 'node:crypto';
import { AppError, type Clock, type Logger, type ModelIdentity, type Zone, type ZoneScore } from '@brixia/common';
import { BRIXIA_CODES, brixiaCodeSystemUrl, FHIR_ID_PATTERN, searchsetBundle, type FhirConfig, tokenSearchMatches } from '@brixia/fhir';
import type { MonitoringStore, PatientSummaryRecord, ReviewWrite, SeriesRow } from '@brixia/persistence';
import { evaluateAlerts, type AlertEvaluation, type MonitoringAlert } from './alerts';
import type { MonitoringEvents } from './monitoring-events';
import type { MonitoringRules } from './monitoring-rules';
import { checkListArguments, decodeCursor, encodeCursor, type PatientFilter } from './patient-list';
import { planReview, type ReviewInput } from './review';
import { revisionPublication } from './review-publication';
import { assessTrend, trendRank, type TrendAssessment } from './trend';
import { buildTimeline, countedPoints, type ScorePoint, type Timeline } from './timeline';

/** An EHR's Patient by absolute URL: `<base>/Patient/<id>`. */
const ABSOLUTE_PATIENT = /^https?:\/\/.+\/Patient\/([^/]+)$/;

/** The store operations monitoring uses (MonitoringStore; a fake in unit tests). */
export type MonitoringRepository = Pick<
  MonitoringStore,
  'listSeries' | 'findResult' | 'findStoredResources' | 'findReportIdForResult' | 'findPublication' | 'applyReview' | 'upsertSummaries' | 'listSummaries' | 'findSummaries' | 'stalePatientIds' | 'sourceUpdatedAt' | 'lastObservations'
>;

export interface MonitoringDependencies {
  readonly store: MonitoringRepository;
  readonly fhir: FhirConfig;
  readonly clock: Clock;
  readonly rules: MonitoringRules;
  readonly events: MonitoringEvents;
  readonly logger: Logger;
  /** The model whose results are reviewed (named by the revision Provenance's Device reference). */
  readonly model: ModelIdentity;
}

/** A patient's series with its analytics. */
export interface PatientMonitoring {
  readonly patientId: string;
  readonly timeline: Timeline;
  readonly trend: TrendAssessment;
  readonly alerts: AlertEvaluation;
}

export interface PatientPage {
  readonly rows: readonly PatientSummaryRecord[];
  readonly cursors: readonly string[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface ReviewOutcome {
  readonly observation: fhir4.Observation;
  readonly provenance: fhir4.Provenance;
  readonly versionId: number;
  readonly patientId: string;
}

/** Serial monitoring use cases: timelines with trend and alerts, the patient list, reviews, $lastn. */
export class MonitoringService {
  constructor(private readonly deps: MonitoringDependencies) {}

  get events(): MonitoringEvents {
    return this.deps.events;
  }

  /** Timelines of several patients from ONE series query (the GraphQL DataLoader batch function). */
  async monitorPatients(patientIds: readonly string[]): Promise<Map<string, PatientMonitoring>> {
    const series = await this.deps.store.listSeries(patientIds);
    return new Map(patientIds.map((id) => [id, this.analyse(id, (series.get(id) ?? []).map(toScorePoint))]));
  }

  async monitorPatient(patientId: string): Promise<PatientMonitoring> {
    const result = (await this.monitorPatients([patientId])).get(patientId);
    if (!result) throw new AppError('INTERNAL', 'Missing patient in batch');
    return result;
  }

  /** Pure analytics of one series (exposed for tests and benchmarks). */
  analyse(patientId: string, points: readonly ScorePoint[]): PatientMonitoring {
    const timeline = buildTimeline(patientId, points);
    const counted = countedPoints(timeline);
    return { patientId, timeline, trend: assessTrend(counted, this.deps.rules.trend), alerts: evaluateAlerts(patientId, counted, this.deps.rules.alerts) };
  }

  /** One page of the patient list, filtered and sorted by latest score (desc) then trend. */
  async listPatients(query: { first: number; after?: string; filter?: PatientFilter }): Promise<PatientPage> {
    const filter = query.filter ?? {};
    checkListArguments(query.first, filter);
    const after = query.after !== undefined ? decodeCursor(query.after) : undefined;
    const { rows, hasNext } = await this.deps.store.listSummaries({
      trends: filter.trends,
      minLatestGlobal: filter.minLatestScore,
      maxLatestGlobal: filter.maxLatestScore,
      hasActiveAlerts: filter.hasActiveAlerts,
      patientIdPrefix: filter.patientIdPrefix,
      after: after ? { latestGlobal: after.latestGlobal, trendRank: after.trendRank, patientId: after.patientId } : undefined,
      limit: query.first,
    });
    const cursors = rows.map((row) => encodeCursor({ latestGlobal: row.latestGlobal, trendRank: row.trendRank, patientId: row.patientId }));
    return { rows, cursors, hasNextPage: hasNext, endCursor: cursors.length > 0 ? cursors[cursors.length - 1] : null };
  }

  /** Projection rows of several patients in ONE query (DataLoader batch). */
  async summaries(patientIds: readonly string[]): Promise<Map<string, PatientSummaryRecord>> {
    const rows = await this.deps.store.findSummaries(patientIds);
    return new Map(rows.map((row) => [row.patientId, row]));
  }

  /** Recomputes the projection rows of these patients from their series. */
  async refreshPatients(patientIds: readonly string[]): Promise<Map<string, PatientMonitoring>> {
    const [monitored, watermarks] = await Promise.all([this.monitorPatients(patientIds), this.deps.store.sourceUpdatedAt(patientIds)]);
    const rows = [...monitored.values()].flatMap((patient) => {
      const summary = summaryOf(patient, watermarks.get(patient.patientId));
      return summary ? [summary] : [];
    });
    await this.deps.store.upsertSummaries(rows);
    return monitored;
  }

  /** Brings every stale projection row up to date (start-up, after a crash between write and refresh). */
  async refreshStale(batchSize = 500): Promise<number> {
    let refreshed = 0;
    for (;;) {
      const stale = await this.deps.store.stalePatientIds(batchSize);
      if (stale.length === 0) return refreshed;
      await this.refreshPatients(stale.map((row) => row.patientId));
      refreshed += stale.length;
      if (stale.length < batchSize) return refreshed;
    }
  }

  /**
   * Called when a result was stored (scoring completed): refreshes the patient's projection and
   * publishes the completion and the alerts this result raised.
   */
  async resultRecorded(observationId: string, taskId: string | null): Promise<readonly MonitoringAlert[]> {
    const result = await this.deps.store.findResult(observationId);
    if (!result) return [];
    const patient = (await this.refreshPatients([result.patientId])).get(result.patientId);
    this.deps.events.publish({
      type: 'assessment-completed',
      patientId: result.patientId,
      observationId,
      taskId,
      global: result.globalScore,
      acquiredAt: result.acquiredAt,
    });
    const raised = patient?.alerts.raised.filter((alert) => alert.observationId === observationId) ?? [];
    for (const alert of raised) this.deps.events.publish({ type: 'alert-raised', alert });
    return raised;
  }

  /**
   * Confirm or override an AI result (optimistic concurrency on the version read). A result that was
   * queued for publication to an EHR has the review queued to the same EHR, in the review's transaction.
   */
  async review(input: ReviewInput, options: { readonly audit?: ReviewWrite['audit'] } = {}): Promise<ReviewOutcome> {
    const result = FHIR_ID_PATTERN.test(input.observationId) ? await this.deps.store.findResult(input.observationId) : null;
    if (!result) throw new AppError('RESOURCE.NOT_FOUND', `Observation/${input.observationId} is not known`);
    const [stored] = await this.deps.store.findStoredResources('Observation', [result.id]);
    if (!stored) throw new AppError('RESOURCE.NOT_FOUND', `Observation/${input.observationId} has no published resource`);
    const reportId = await this.deps.store.findReportIdForResult(result.id);
    const [report] = reportId ? await this.deps.store.findStoredResources('DiagnosticReport', [reportId]) : [];
    const now = this.deps.clock.now();
    const provenanceId = `prov-rev-${randomUUID()}`;
    const plan = planReview(
      this.deps.fhir,
      { result, observation: stored.resource as fhir4.Observation, diagnosticReport: report?.resource as fhir4.DiagnosticReport | undefined, model: this.deps.model, now, provenanceId },
      input,
    );
    const publication = await this.deps.store.findPublication(result.id);
    const versionId = await this.deps.store.applyReview({
      resultId: result.id,
      expectedVersion: plan.expectedVersion,
      status: plan.status,
      globalScore: plan.global,
      zoneScores: plan.zones,
      observation: plan.observation,
      provenance: plan.provenance,
      diagnosticReport: plan.diagnosticReport,
      outbox: publication ? revisionPublication(this.deps.fhir, result.id, publication, plan) : undefined,
      audit: options.audit,
      review: {
        id: randomUUID(),
        resultId: result.id,
        action: plan.status === 'amended' ? 'override' : 'confirm',
        practitionerId: input.practitionerId,
        versionRead: plan.expectedVersion,
        previousStatus: result.status,
        previousGlobal: result.globalScore,
        previousZoneScores: result.zoneScores,
        newStatus: plan.status,
        newGlobal: plan.global,
        newZoneScores: plan.zones,
        provenanceId,
      },
    });
    await this.refreshPatients([result.patientId]);
    this.deps.logger.info({ observationId: result.id, versionId, status: plan.status }, 'result reviewed');
    this.deps.events.publish({ type: 'result-reviewed', patientId: result.patientId, observationId: result.id, versionId, status: plan.status });
    const observation: fhir4.Observation = { ...plan.observation, meta: { ...plan.observation.meta, versionId: String(versionId), lastUpdated: now.toISOString() } };
    return { observation, provenance: plan.provenance, versionId, patientId: result.patientId };
  }

  /**
   * `Observation/$lastn` (http://hl7.org/fhir/R4/observation-operation-lastn.html) for the Brixia
   * code: the newest `max` results of one patient. Other codes or categories match nothing.
   */
  async lastn(query: { patient?: string; code?: string; category?: string; max?: string }, selfUrl: string): Promise<fhir4.Bundle> {
    if (!query.patient) throw new AppError('REQUEST.INVALID', '$lastn needs patient (results are served per patient)', { expression: ['patient'] });
    // `Patient/<id>` (or a bare id) is one of ours; an absolute URL names an EHR's Patient, as the results of
    // that EHR's studies do (docs/fhir-profile.md, "Patient references"): matched on the Observation's subject.
    const absolute = ABSOLUTE_PATIENT.exec(query.patient);
    const patientId = absolute ? absolute[1] : query.patient.replace(/^Patient\//, '');
    const max = query.max === undefined ? 1 : Number(query.max);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw new AppError('REQUEST.INVALID', 'max must be an integer 1–100', { expression: ['max'] });
    const empty = searchsetBundle({ resources: [], total: 0, selfUrl, baseUrl: this.deps.fhir.baseUrl });
    // No stored result can match an id outside the FHIR id grammar (and PostgreSQL rejects NUL in text: a 500).
    if (!FHIR_ID_PATTERN.test(patientId)) return empty;
    if (query.code !== undefined && !tokenSearchMatches(query.code, BRIXIA_CODES.global, brixiaCodeSystemUrl(this.deps.fhir))) return empty;
    if (query.category !== undefined && !tokenSearchMatches(query.category, 'imaging', 'http://terminology.hl7.org/CodeSystem/observation-category')) return empty;
    const rows = await this.deps.store.lastObservations(patientId, max, absolute ? query.patient : undefined);
    const resources = rows.map((row) => ({ ...row.resource, meta: { ...row.resource.meta, versionId: String(row.versionId), lastUpdated: row.lastUpdated.toISOString() } }));
    return searchsetBundle({ resources, total: resources.length, selfUrl, baseUrl: this.deps.fhir.baseUrl });
  }
}


/** A stored series row as a domain point. */
export function toScorePoint(row: SeriesRow): ScorePoint {
  return {
    observationId: row.id,
    imagingStudyId: row.imagingStudyId,
    acquiredAt: row.acquiredAt,
    global: row.globalScore,
    zones: row.zoneScores as Record<Zone, ZoneScore>,
    method: row.method,
    status: row.status,
    modelVersion: row.modelVersion,
    versionId: row.versionId,
    aiGlobal: row.aiGlobalScore,
    aiZones: row.aiZoneScores,
  };
}

/** The projection row of a patient; null when the patient has no counted point. */
export function summaryOf(patient: PatientMonitoring, sourceUpdatedAt: Date | undefined): Omit<PatientSummaryRecord, 'refreshedAt'> | null {
  const counted = countedPoints(patient.timeline);
  const latest = counted[counted.length - 1];
  if (!latest) return null;
  return {
    patientId: patient.patientId,
    latestGlobal: latest.global,
    latestAcquiredAt: latest.acquiredAt,
    latestObservationId: latest.observationId,
    pointCount: patient.timeline.points.length,
    trend: patient.trend.trend,
    trendRank: trendRank(patient.trend.trend),
    trendChange: patient.trend.change,
    changePerDay: patient.trend.changePerDay,
    activeAlertCount: patient.alerts.active.length,
    activeAlerts: patient.alerts.active.map((alert) => ({ ...alert, acquiredAt: alert.acquiredAt.toISOString() })),
    sourceUpdatedAt: sourceUpdatedAt ?? latest.acquiredAt,
  };
}
