import { ZONES } from '@brixia/common';
import type { AssessmentView, MonitoringAlert, PatientMonitoring, TimelinePoint as DomainPoint } from '@brixia/monitoring';
import type { PatientSummaryRecord, StoredAlert } from '@brixia/persistence';
import {
  AlertSeverityValue,
  AlertStateValue,
  PointOriginValue,
  TrendValue,
  type Alert,
  type Assessment,
  type Patient,
  type Timeline,
  type TimelinePoint,
} from './monitoring.types';

/** Domain → GraphQL objects (no logic beyond renaming). */
export function toAlert(alert: MonitoringAlert | (StoredAlert & { patientId: string })): Alert {
  return {
    ruleId: alert.ruleId,
    kind: alert.kind,
    severity: alert.severity as AlertSeverityValue,
    patientId: alert.patientId,
    observationId: alert.observationId,
    acquiredAt: new Date(alert.acquiredAt),
    value: alert.value,
    threshold: alert.threshold,
    message: alert.message,
  };
}

export function toPatient(row: PatientSummaryRecord): Patient {
  return {
    id: row.patientId,
    latestScore: row.latestGlobal,
    latestAcquiredAt: row.latestAcquiredAt,
    latestObservationId: row.latestObservationId,
    trend: row.trend as TrendValue,
    alertState: row.activeAlertCount > 0 ? AlertStateValue.ACTIVE : AlertStateValue.NONE,
    activeAlerts: row.activeAlerts.map((alert) => toAlert({ ...alert, patientId: row.patientId })),
    studyCount: row.pointCount,
  };
}

function toPoint(point: DomainPoint, alerts: readonly MonitoringAlert[]): TimelinePoint {
  return {
    observationId: point.observationId,
    imagingStudyId: point.imagingStudyId,
    acquiredAt: point.acquiredAt,
    global: point.global,
    zones: ZONES.map((zone) => ({ zone, score: point.zones[zone], delta: point.deltaZones?.[zone] ?? null, aiScore: point.aiZones?.[zone] ?? null })),
    deltaGlobal: point.deltaGlobal,
    deltaFromFirst: point.deltaFromFirst,
    daysSincePrevious: point.daysSincePrevious,
    changePerDay: point.changePerDay,
    method: point.method,
    status: point.status,
    origin: point.origin as PointOriginValue,
    superseded: point.superseded,
    versionId: point.versionId ?? 1,
    aiGlobal: point.aiGlobal ?? null,
    modelVersion: point.modelVersion,
    alerts: alerts.filter((alert) => alert.observationId === point.observationId).map(toAlert),
  };
}

export function toTimeline(patient: PatientMonitoring): Timeline {
  return {
    patientId: patient.patientId,
    trend: patient.trend.trend as TrendValue,
    trendChange: patient.trend.change,
    changePerDay: patient.trend.changePerDay,
    points: patient.timeline.points.map((point) => toPoint(point, patient.alerts.raised)),
    alerts: patient.alerts.raised.map(toAlert),
    activeAlerts: patient.alerts.active.map(toAlert),
  };
}

export function toAssessment(view: AssessmentView, task: fhir4.Task | null, radiographUrl: string | null): Assessment {
  return {
    observationId: view.result.id,
    taskId: view.task?.id ?? null,
    patientId: view.result.patientId,
    status: view.result.status,
    versionId: view.result.versionId,
    global: view.result.globalScore,
    observation: { ...view.observation.resource, meta: { ...view.observation.resource.meta, versionId: String(view.observation.versionId), lastUpdated: view.observation.lastUpdated.toISOString() } },
    task,
    diagnosticReport: view.diagnosticReport?.resource ?? null,
    explanationImages: view.explanationImages.map((image) => ({ ...image })),
    radiographUrl,
    aiScore: view.aiScore ? { global: view.aiScore.global, zones: ZONES.map((zone) => ({ zone, score: view.aiScore?.zones[zone] ?? 0 })) } : null,
    zoneBoxes: view.zoneBoxes.map((box) => ({ zone: box.zone, corners: box.corners.map((corner) => ({ x: corner.x, y: corner.y })) })),
  };
}
