/**
 * @brixia/fhir — the only place that converts between the domain (BrixiaScoring, ModelIdentity)
 * and FHIR R4 (types from @types/fhir `fhir/r4`). Pure: no framework, no I/O.
 * Shapes follow docs/fhir-profile.md; decisions are documented beside each builder.
 */
export type { FhirConfig } from './config';
export { FHIR_ID_PATTERN, dicomUidIdentifier, normalizeDicomUid } from './config';
export { AIAST_SECURITY, AI_CONFIDENCE_EXTENSION_URL, AI_DEVICE_TYPE } from './ai-transparency';
export {
  BRIXIA_CODES,
  BRIXIA_CODE_SYSTEM_VERSION,
  SCORING_REQUEST_CODE,
  brixiaCodeSystem,
  brixiaCodeSystemUrl,
  brixiaCoding,
  zoneOfCode,
  type BrixiaMethod,
} from './brixia-code-system';
export { DEVICE_PROPERTY_TYPES, DEVICE_VERSION_TYPES, buildModelDevice, deviceIdFor, type ModelDeviceExtra } from './model-device';
export { observationIdentifier, observationIdentifierSystem } from './observation-identifier';
export { zoneProbabilitiesExtensionUrl } from './zone-probabilities';
export { BOTH_LUNGS_BODY_SITE, buildBrixiaObservation, type BrixiaObservationInput, type BrixiaObservationStatus } from './brixia-observation';
export { readBrixiaObservation, type BrixiaObservationContent } from './read-brixia-observation';
export { buildScoringTask, type ScoringBusinessStatus, type ScoringTaskInput, type ScoringTaskStatus } from './scoring-task';
export { brixiaConclusion, buildDiagnosticReport, type DiagnosticReportInput } from './diagnostic-report';
export { buildProvenance, type ProvenanceInput } from './provenance';
export { buildImagingStudy, type ImagingStudyInput } from './imaging-study';
export { operationOutcome, operationOutcomeFromError, outcomeForCode, type FhirIssueSeverity, type OutcomeIssue } from './operation-outcome';
export { searchsetBundle, type SearchsetInput } from './search-bundle';
export { brixiaScoreOperationDefinition, brixiaScoreOperationUrl, parseBrixiaScoreParameters, type BrixiaScoreRequest } from './brixia-score.operation';
export { capabilityStatement } from './capability-statement';
export { generatedNarrative, withNarrative } from './narrative';
export { BRIXIA_RESULT_TOPIC_ID, brixiaResultTopic } from './subscription-topic';
export { buildExplanationImage, explanationIdentifierSystem, type ExplanationImageInput } from './explanation-media';
export {
  BACKPORT_EXTENSIONS,
  brixiaResultTopicUrl,
  notificationBundle,
  parseSubscription,
  servedSubscription,
  subscriptionHmacExtensionUrl,
  subscriptionStatusParameters,
  type NotificationType,
  type PayloadContent,
  type SubscriptionRequest,
} from './subscription-backport';
export { reviewBrixiaObservation, reviewDiagnosticReport, type BrixiaReviewChange } from './brixia-review';
export { tokenSearchMatches } from './token-search';
export { forPublication, publicationIdentifierSystem } from './publication';
export { auditOutcomeOf, auditSubjectsOf, buildAuditEvent, type AuditAction, type AuditAgent, type AuditInput, type AuditInteraction } from './audit-event';
export * from './search';
export { allowedMethods, servedResources, type Interaction, type InteractionPath, type ServedOperation, type ServedResource } from './served-resources';
export { buildLocalPatient, patientIdentifierSystem, type LocalPatientInput } from './patient';
