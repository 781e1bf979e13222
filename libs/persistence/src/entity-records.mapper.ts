import type {
  BrixiaResultEntity,
  BrixiaReviewEntity,
  FhirResourceEntity,
  ImagingStudyEntity,
  OutboxMessageEntity,
  PatientMonitoringEntity,
  ScoringTaskEntity,
  StoredImageEntity,
  SubscriptionEntity,
  SubscriptionNotificationEntity,
} from './entities';
import type {
  BrixiaResultRecord,
  BrixiaReviewRecord,
  FhirResourceRecord,
  ImagingStudyRecord,
  OutboxMessageRecord,
  PatientSummaryRecord,
  ScoringTaskRecord,
  StoredImageRecord,
  SubscriptionNotificationRecord,
  SubscriptionRecord,
} from './records';

/*
 * Entity → record at the repositories' edge: each record is a new plain object naming its fields, so
 * no ORM instance (nor a column added later) leaves this lib unnoticed.
 */

export function toScoringTaskRecord(row: ScoringTaskEntity): ScoringTaskRecord {
  return {
    id: row.id,
    dedupeKey: row.dedupeKey,
    status: row.status,
    businessStatus: row.businessStatus,
    failure: row.failure,
    imagingStudyId: row.imagingStudyId,
    imageId: row.imageId,
    patientId: row.patientId,
    modelVersion: row.modelVersion,
    requestId: row.requestId,
    attempts: row.attempts,
    observationId: row.observationId,
    skipped: row.skipped,
    diagnosticReportId: row.diagnosticReportId,
    versionId: row.versionId,
    authoredAt: row.authoredAt,
    updatedAt: row.updatedAt,
  };
}

export function toImagingStudyRecord(row: ImagingStudyEntity): ImagingStudyRecord {
  return { id: row.id, patientId: row.patientId, studyInstanceUid: row.studyInstanceUid, source: row.source, resource: row.resource, createdAt: row.createdAt, updatedAt: row.updatedAt };
}

export function toStoredImageRecord(row: StoredImageEntity): StoredImageRecord {
  return {
    id: row.id,
    sha256: row.sha256,
    imageKey: row.imageKey,
    patientId: row.patientId,
    imagingStudyId: row.imagingStudyId,
    contentType: row.contentType,
    byteSize: row.byteSize,
    sopInstanceUid: row.sopInstanceUid,
    seriesInstanceUid: row.seriesInstanceUid,
    metadata: row.metadata,
    createdAt: row.createdAt,
  };
}

export function toBrixiaResultRecord(row: BrixiaResultEntity): BrixiaResultRecord {
  return {
    id: row.id,
    taskId: row.taskId,
    patientId: row.patientId,
    imagingStudyId: row.imagingStudyId,
    identifierSystem: row.identifierSystem,
    identifierValue: row.identifierValue,
    acquiredAt: row.acquiredAt,
    issuedAt: row.issuedAt,
    globalScore: row.globalScore,
    zoneScores: row.zoneScores,
    probabilities: row.probabilities,
    modelVersion: row.modelVersion,
    modelSha256: row.modelSha256,
    method: row.method,
    status: row.status,
    instanceQuality: row.instanceQuality,
    supersededBy: row.supersededBy,
    alignment: row.alignment,
    versionId: row.versionId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toBrixiaReviewRecord(row: BrixiaReviewEntity): BrixiaReviewRecord {
  return {
    id: row.id,
    resultId: row.resultId,
    action: row.action,
    practitionerId: row.practitionerId,
    versionRead: row.versionRead,
    versionWritten: row.versionWritten,
    previousStatus: row.previousStatus,
    previousGlobal: row.previousGlobal,
    previousZoneScores: row.previousZoneScores,
    newStatus: row.newStatus,
    newGlobal: row.newGlobal,
    newZoneScores: row.newZoneScores,
    provenanceId: row.provenanceId,
    reviewedAt: row.reviewedAt,
  };
}

export function toPatientSummaryRecord(row: PatientMonitoringEntity): PatientSummaryRecord {
  return {
    patientId: row.patientId,
    latestGlobal: row.latestGlobal,
    latestAcquiredAt: row.latestAcquiredAt,
    latestObservationId: row.latestObservationId,
    pointCount: row.pointCount,
    trend: row.trend,
    trendRank: row.trendRank,
    trendChange: row.trendChange,
    changePerDay: row.changePerDay,
    activeAlertCount: row.activeAlertCount,
    activeAlerts: row.activeAlerts,
    sourceUpdatedAt: row.sourceUpdatedAt,
    refreshedAt: row.refreshedAt,
  };
}

export function toOutboxMessageRecord(row: OutboxMessageEntity): OutboxMessageRecord {
  return {
    id: row.id,
    resultId: row.resultId,
    kind: row.kind,
    taskId: row.taskId,
    destination: row.destination,
    payload: row.payload,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    remoteIds: row.remoteIds,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deliveredAt: row.deliveredAt,
  };
}

export function toSubscriptionRecord(row: SubscriptionEntity): SubscriptionRecord {
  return {
    id: row.id,
    resource: row.resource,
    status: row.status,
    endpoint: row.endpoint,
    headers: row.headers,
    payloadContent: row.payloadContent,
    patientId: row.patientId,
    heartbeatSeconds: row.heartbeatSeconds,
    timeoutSeconds: row.timeoutSeconds,
    hmacSecret: row.hmacSecret,
    eventsSinceStart: row.eventsSinceStart,
    lastSentAt: row.lastSentAt,
    error: row.error,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toSubscriptionNotificationRecord(row: SubscriptionNotificationEntity): SubscriptionNotificationRecord {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    kind: row.kind,
    eventNumber: row.eventNumber,
    focus: row.focus,
    eventTime: row.eventTime,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
  };
}

export function toFhirResourceRecord(row: FhirResourceEntity): FhirResourceRecord {
  return { resourceType: row.resourceType, id: row.id, versionId: row.versionId, resource: row.resource, lastUpdated: row.lastUpdated };
}
