/**
 * Injection tokens of the composition root, one per capability: each controller, resolver or processor
 * injects only what it uses, so it can be constructed (and tested) with those parts alone. The root
 * modules provide them from the Runtime (infrastructure/runtime-providers.ts).
 */
/** The validated configuration (config.ts). */
export const APP_CONFIG = Symbol('APP_CONFIG');
/** The scoring use cases' context: store, FHIR settings, clock, model identity, integrations. */
export const SCORING_CONTEXT = Symbol('SCORING_CONTEXT');
/** Serial monitoring: timelines, $lastn, patient list, reviews, live events. */
export const MONITORING_SERVICE = Symbol('MONITORING_SERVICE');
/** Reads of the monitoring projection (results by Observation id). */
export const MONITORING_STORE = Symbol('MONITORING_STORE');
/** The audit trail of accesses to patient data (AuditEvents). */
export const AUDIT_TRAIL = Symbol('AUDIT_TRAIL');
/** The loaded ScoreModel, or null in the API role (which only reads the manifest). */
export const SCORE_MODEL = Symbol('SCORE_MODEL');
/** The publication outbox to the EHR (read side: delivery state). */
export const OUTBOX_STORE = Symbol('OUTBOX_STORE');
/** The open database (its mode is reported on /health). */
export const DATABASE = Symbol('DATABASE');
/** When this process finished starting (CapabilityStatement.date, /health). */
export const STARTED_AT = Symbol('STARTED_AT');
/** Health, readiness and metrics (operations/operations-server.ts OperationsEndpoints). */
export const OPERATIONS = Symbol('OPERATIONS');
/** The bearer-token verifier and the issuer's metadata (auth/resource-server.ts). */
export const RESOURCE_SERVER = Symbol('RESOURCE_SERVER');
