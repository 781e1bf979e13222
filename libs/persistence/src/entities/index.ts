import { BrixiaResultEntity } from './brixia-result.entity';
import { BrixiaReviewEntity } from './brixia-review.entity';
import { PatientMonitoringEntity } from './patient-monitoring.entity';
import { FhirResourceEntity, FhirResourceVersionEntity } from './fhir-resource.entity';
import { ImagingStudyEntity } from './imaging-study.entity';
import { ScoringTaskEntity, ScoringTaskVersionEntity } from './scoring-task.entity';
import { StoredImageEntity } from './stored-image.entity';
import { OutboxMessageEntity } from './outbox-message.entity';
import { AuditEventEntity } from './audit-event.entity';
import { SubscriptionEntity, SubscriptionEventEntity, SubscriptionNotificationEntity } from './subscription.entity';

export { BrixiaResultEntity, FhirResourceEntity, FhirResourceVersionEntity, ImagingStudyEntity, ScoringTaskEntity, ScoringTaskVersionEntity, StoredImageEntity };
export type { ScoringBusinessStatus, ScoringTaskStatus, TaskSkip } from './scoring-task.entity';
export type { StoredInstanceQuality } from './brixia-result.entity';
export { BrixiaReviewEntity, PatientMonitoringEntity };
export type { StoredAlert } from './patient-monitoring.entity';
export { OutboxMessageEntity };
export type { OutboxKind, OutboxState, OutboxPayload } from './outbox-message.entity';
export { SubscriptionEntity, SubscriptionEventEntity, SubscriptionNotificationEntity };
export type { SubscriptionStatus, SubscriptionNotificationKind } from './subscription.entity';

export { AuditEventEntity };

export const ENTITIES = [ImagingStudyEntity, StoredImageEntity, ScoringTaskEntity, BrixiaResultEntity, FhirResourceEntity, BrixiaReviewEntity, PatientMonitoringEntity, OutboxMessageEntity, SubscriptionEntity, SubscriptionEventEntity, SubscriptionNotificationEntity, AuditEventEntity, FhirResourceVersionEntity, ScoringTaskVersionEntity];
