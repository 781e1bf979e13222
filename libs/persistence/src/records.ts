import type { Zone, ZoneProbabilities, ZoneScore } from '@brixia/common';
import type {
  OutboxKind,
  OutboxPayload,
  OutboxState,
  ScoringBusinessStatus,
  ScoringTaskStatus,
  StoredAlert,
  StoredInstanceQuality,
  SubscriptionNotificationKind,
  SubscriptionStatus,
  TaskSkip,
} from './entities';

/*
 * What the other libs read from and write to the stores: plain readonly records. The TypeORM entity
 * classes stay inside this lib (the repositories map entity ↔ record at their edge, see
 * entity-records.mapper.ts), so a consumer depends on the columns it uses, not on the ORM.
 */

export type {
  OutboxKind,
  OutboxPayload,
  OutboxState,
  ScoringBusinessStatus,
  ScoringTaskStatus,
  StoredAlert,
  StoredInstanceQuality,
  SubscriptionNotificationKind,
  SubscriptionStatus,
  TaskSkip,
};

/** One request to score one image with one model version (the FHIR Task's durable record). */
export interface ScoringTaskRecord {
  readonly id: string;
  /** `<patient>|<image key>|<model version>`, unique among Tasks that did not fail. */
  readonly dedupeKey: string;
  readonly status: ScoringTaskStatus;
  readonly businessStatus: ScoringBusinessStatus;
  readonly failure: { readonly code: string; readonly message: string } | null;
  readonly imagingStudyId: string | null;
  readonly imageId: string | null;
  readonly patientId: string | null;
  readonly modelVersion: string;
  readonly requestId: string | null;
  readonly attempts: number;
  readonly observationId: string | null;
  /** Set when the Task is not its study's timeline point (businessStatus `skipped` or `superseded`). */
  readonly skipped: TaskSkip | null;
  readonly diagnosticReportId: string | null;
  /** FHIR meta.versionId: bumped when what the Task shows changes. */
  readonly versionId: number;
  readonly authoredAt: Date;
  readonly updatedAt: Date;
}

/** An ImagingStudy known to this service (uploaded, posted inline, or resolved from an EHR). */
export interface ImagingStudyRecord {
  readonly id: string;
  readonly patientId: string;
  readonly studyInstanceUid: string | null;
  readonly source: 'upload' | 'inline' | 'external';
  readonly resource: fhir4.ImagingStudy;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** An accepted image, without its bytes (ScoringStore.loadImageContent reads those). */
export interface StoredImageRecord {
  readonly id: string;
  readonly sha256: string;
  /** `sop:<SOPInstanceUID>` or `sha256:<hex>`: the image's identity, held for one patient. */
  readonly imageKey: string;
  readonly patientId: string;
  readonly imagingStudyId: string;
  readonly contentType: string;
  readonly byteSize: number;
  readonly sopInstanceUid: string | null;
  readonly seriesInstanceUid: string | null;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: Date;
}

/** One Brixia score on a patient's timeline (AI or radiologist); its id is the Observation id. */
export interface BrixiaResultRecord {
  readonly id: string;
  readonly taskId: string | null;
  readonly patientId: string;
  readonly imagingStudyId: string | null;
  readonly identifierSystem: string;
  readonly identifierValue: string;
  readonly acquiredAt: Date;
  readonly issuedAt: Date;
  readonly globalScore: number;
  readonly zoneScores: Record<Zone, ZoneScore>;
  readonly probabilities: Record<Zone, ZoneProbabilities> | null;
  readonly modelVersion: string | null;
  readonly modelSha256: string | null;
  readonly method: string;
  readonly status: string;
  /** The instance's quality, ranked against later instances of its study; null before ranking and for imports. */
  readonly instanceQuality: StoredInstanceQuality | null;
  /** The result that replaced this one as its study's timeline point; it leaves the timeline. */
  readonly supersededBy: string | null;
  /** The model's alignment θ (row-major 2×3) of the scored image; null before it was kept, and for imports. */
  readonly alignment: number[] | null;
  readonly versionId: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A clinician's review of an AI result (confirm or override), with the version the reviewer read. */
export interface BrixiaReviewRecord {
  readonly id: string;
  readonly resultId: string;
  readonly action: 'confirm' | 'override';
  readonly practitionerId: string;
  readonly versionRead: number;
  readonly versionWritten: number;
  readonly previousStatus: string;
  readonly previousGlobal: number;
  readonly previousZoneScores: Record<Zone, ZoneScore>;
  readonly newStatus: string;
  readonly newGlobal: number;
  readonly newZoneScores: Record<Zone, ZoneScore>;
  readonly provenanceId: string;
  readonly reviewedAt: Date;
}

/** A patient's row of the monitoring projection: what the patient list filters and sorts on. */
export interface PatientSummaryRecord {
  readonly patientId: string;
  readonly latestGlobal: number;
  readonly latestAcquiredAt: Date;
  readonly latestObservationId: string;
  readonly pointCount: number;
  readonly trend: 'improving' | 'stable' | 'worsening' | 'unknown';
  readonly trendRank: number;
  readonly trendChange: number | null;
  readonly changePerDay: number | null;
  readonly activeAlertCount: number;
  readonly activeAlerts: readonly StoredAlert[];
  readonly sourceUpdatedAt: Date;
  readonly refreshedAt: Date;
}

/** One publication to an EHR: a result, or a review of it (transactional outbox). */
export interface OutboxMessageRecord {
  readonly id: string;
  /** The Observation id of the result (one `result` message per result, then one per review). */
  readonly resultId: string;
  readonly kind: OutboxKind;
  readonly taskId: string | null;
  /** Base URL of the EHR FHIR server (the study's origin). */
  readonly destination: string;
  readonly payload: OutboxPayload;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  /** Our `Type/id` → the EHR's `Type/id`, as answered by the conditional creates. */
  readonly remoteIds: Readonly<Record<string, string>> | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deliveredAt: Date | null;
}

/** A rest-hook Subscription on the Brixia result topic (R5 Backport on R4). */
export interface SubscriptionRecord {
  readonly id: string;
  /** The Subscription as POSTed (the HMAC secret is kept apart, never served). */
  readonly resource: fhir4.Subscription;
  readonly status: SubscriptionStatus;
  readonly endpoint: string;
  readonly headers: readonly string[];
  readonly payloadContent: 'empty' | 'id-only' | 'full-resource';
  readonly patientId: string | null;
  readonly heartbeatSeconds: number | null;
  readonly timeoutSeconds: number | null;
  readonly hmacSecret: string | null;
  /** A bigint, as the decimal text pg answers. */
  readonly eventsSinceStart: string;
  readonly lastSentAt: Date | null;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One notification to one subscriber (handshake or event), delivered at least once. */
export interface SubscriptionNotificationRecord {
  readonly id: string;
  readonly subscriptionId: string;
  readonly kind: SubscriptionNotificationKind;
  /** A bigint, as the decimal text pg answers; null for a handshake. */
  readonly eventNumber: string | null;
  readonly focus: string | null;
  readonly eventTime: Date;
  readonly state: 'pending' | 'delivered' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastError: string | null;
  readonly createdAt: Date;
}

/** A FHIR resource as stored, with its version. */
export interface StoredResource {
  readonly resource: fhir4.FhirResource;
  readonly versionId: number;
  readonly lastUpdated: Date;
}

/** A published FHIR resource (fhir_resource) by its type and id. */
export interface FhirResourceRecord extends StoredResource {
  readonly resourceType: string;
  readonly id: string;
}
