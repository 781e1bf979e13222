/**
 * Error codes (AREA.REASON) and the one table that says how each surfaces: HTTP status,
 * FHIR OperationOutcome issue type (http://hl7.org/fhir/R4/valueset-issue-type.html),
 * severity, and whether a job may retry it.
 */
export type ErrorCode =
  | 'REQUEST.INVALID'
  | 'REQUEST.UNSUPPORTED_MEDIA_TYPE'
  | 'REQUEST.TOO_LARGE'
  | 'REQUEST.NOT_ACCEPTABLE'
  | 'REQUEST.METHOD_NOT_ALLOWED'
  | 'REQUEST.TOO_COMPLEX'
  | 'REQUEST.RATE_LIMITED'
  | 'AUDIT.UNAVAILABLE'
  | 'RESOURCE.NOT_FOUND'
  | 'RESOURCE.VERSION_CONFLICT'
  | 'RESOURCE.SUPERSEDED'
  | 'IMAGING.UNREADABLE'
  | 'IMAGING.NOT_AN_IMAGE'
  | 'IMAGING.UNSUPPORTED_TRANSFER_SYNTAX'
  | 'IMAGING.NOT_FRONTAL'
  | 'IMAGE.NOT_A_CHEST_RADIOGRAPH'
  | 'IMAGING.MISSING_ACQUISITION_TIME'
  | 'IMAGING.MISSING_PATIENT'
  | 'IMAGING.STUDY_NOT_FOUND'
  | 'IMAGING.NO_PIXELS'
  | 'IMAGING.NO_ENDPOINT'
  | 'IMAGING.PATIENT_CONFLICT'
  | 'INFERENCE.MODEL_INVALID'
  | 'INFERENCE.FAILED'
  | 'PUBLICATION.AWAITING_EARLIER'
  | 'PUBLICATION.EARLIER_FAILED'
  | 'UPSTREAM.UNAVAILABLE'
  | 'UPSTREAM.NOT_ALLOWED'
  | 'UPSTREAM.UNAUTHORIZED'
  | 'UPSTREAM.TOO_LARGE'
  | 'UPSTREAM.INVALID_RESPONSE'
  | 'AUTH.TOKEN_INVALID'
  | 'AUTH.SCOPE_INSUFFICIENT'
  | 'AUTH.USER_REQUIRED'
  | 'CONFIG.INVALID'
  | 'INTERNAL';

/** FHIR R4 IssueType codes used by this service. */
export type FhirIssueType =
  | 'invalid'
  | 'required'
  | 'value'
  | 'not-found'
  | 'conflict'
  | 'not-supported'
  | 'too-costly'
  | 'processing'
  | 'transient'
  | 'business-rule'
  | 'exception'
  | 'security'
  | 'login'
  | 'forbidden'
  | 'throttled';

export interface ErrorSpec {
  readonly httpStatus: number;
  readonly issueType: FhirIssueType;
  readonly severity: 'fatal' | 'error' | 'warning';
  readonly retryable: boolean;
}

export const ERROR_TABLE: Readonly<Record<ErrorCode, ErrorSpec>> = {
  'REQUEST.INVALID': { httpStatus: 400, issueType: 'invalid', severity: 'error', retryable: false },
  'REQUEST.UNSUPPORTED_MEDIA_TYPE': { httpStatus: 415, issueType: 'not-supported', severity: 'error', retryable: false },
  'REQUEST.TOO_LARGE': { httpStatus: 413, issueType: 'too-costly', severity: 'error', retryable: false },
  'REQUEST.NOT_ACCEPTABLE': { httpStatus: 406, issueType: 'not-supported', severity: 'error', retryable: false },
  // An interaction the CapabilityStatement does not list (PUT, PATCH, DELETE, batch…); the answer carries Allow.
  'REQUEST.METHOD_NOT_ALLOWED': { httpStatus: 405, issueType: 'not-supported', severity: 'error', retryable: false },
  // A GraphQL operation deeper or costlier than the configured limits (refused before it runs).
  'REQUEST.TOO_COMPLEX': { httpStatus: 400, issueType: 'too-costly', severity: 'error', retryable: false },
  // Per-client budget of uploads and CPU-heavy operations spent; Retry-After says when to come back.
  'REQUEST.RATE_LIMITED': { httpStatus: 429, issueType: 'throttled', severity: 'error', retryable: true },
  // The AuditEvent of an access could not be stored: the data is not released without its audit record.
  'AUDIT.UNAVAILABLE': { httpStatus: 503, issueType: 'transient', severity: 'error', retryable: true },
  'RESOURCE.NOT_FOUND': { httpStatus: 404, issueType: 'not-found', severity: 'error', retryable: false },
  'RESOURCE.VERSION_CONFLICT': { httpStatus: 409, issueType: 'conflict', severity: 'error', retryable: false },
  // A result a better instance of its study replaced as the timeline point: still readable, no longer reviewed.
  'RESOURCE.SUPERSEDED': { httpStatus: 409, issueType: 'conflict', severity: 'error', retryable: false },
  'IMAGING.UNREADABLE': { httpStatus: 422, issueType: 'invalid', severity: 'error', retryable: false },
  'IMAGING.NOT_AN_IMAGE': { httpStatus: 422, issueType: 'not-supported', severity: 'error', retryable: false },
  'IMAGING.UNSUPPORTED_TRANSFER_SYNTAX': { httpStatus: 422, issueType: 'not-supported', severity: 'error', retryable: false },
  'IMAGING.NOT_FRONTAL': { httpStatus: 422, issueType: 'business-rule', severity: 'error', retryable: false },
  // The input gate (README.md, "Input gate"): the header, the image or the model's own lung mask and
  // alignment say this is not a frontal chest radiograph. The same bytes will be refused again: never retried.
  'IMAGE.NOT_A_CHEST_RADIOGRAPH': { httpStatus: 422, issueType: 'business-rule', severity: 'error', retryable: false },
  'IMAGING.MISSING_ACQUISITION_TIME': { httpStatus: 422, issueType: 'required', severity: 'error', retryable: false },
  'IMAGING.MISSING_PATIENT': { httpStatus: 422, issueType: 'required', severity: 'error', retryable: false },
  'IMAGING.STUDY_NOT_FOUND': { httpStatus: 404, issueType: 'not-found', severity: 'error', retryable: false },
  'IMAGING.NO_PIXELS': { httpStatus: 422, issueType: 'required', severity: 'error', retryable: false },
  'IMAGING.NO_ENDPOINT': { httpStatus: 422, issueType: 'required', severity: 'error', retryable: false },
  // The image (its pixels or its SOP instance, or its StudyInstanceUID) is already recorded for another
  // patient: answering would attribute one patient's result to another, so nothing is recorded for anyone.
  'IMAGING.PATIENT_CONFLICT': { httpStatus: 409, issueType: 'conflict', severity: 'error', retryable: false },
  'INFERENCE.MODEL_INVALID': { httpStatus: 500, issueType: 'exception', severity: 'fatal', retryable: false },
  'INFERENCE.FAILED': { httpStatus: 500, issueType: 'exception', severity: 'error', retryable: true },
  // A revision waits for the result's own publication (and earlier revisions) to reach the EHR first:
  // nothing failed, the outbox only retries later.
  'PUBLICATION.AWAITING_EARLIER': { httpStatus: 409, issueType: 'transient', severity: 'warning', retryable: true },
  // An earlier publication of the same result is dead-lettered: the revision would update resources the
  // EHR never received, so it is dead-lettered too until an operator redelivers both, in order.
  'PUBLICATION.EARLIER_FAILED': { httpStatus: 409, issueType: 'business-rule', severity: 'error', retryable: false },
  'UPSTREAM.UNAVAILABLE': { httpStatus: 502, issueType: 'transient', severity: 'error', retryable: true },
  // A URL outside the configured EHR/PACS allow-list: the client asked for it, so 400, never retried.
  'UPSTREAM.NOT_ALLOWED': { httpStatus: 400, issueType: 'security', severity: 'error', retryable: false },
  // The EHR or PACS refused this service's credentials (401/403): an operator must fix the configuration.
  'UPSTREAM.UNAUTHORIZED': { httpStatus: 502, issueType: 'security', severity: 'error', retryable: false },
  'UPSTREAM.TOO_LARGE': { httpStatus: 502, issueType: 'too-costly', severity: 'error', retryable: false },
  'UPSTREAM.INVALID_RESPONSE': { httpStatus: 502, issueType: 'invalid', severity: 'error', retryable: false },
  // No bearer token, or one this service cannot verify (signature, issuer, audience, time, type): 401 with
  // WWW-Authenticate (RFC 6750 §3); docs/security.md lists what is checked.
  'AUTH.TOKEN_INVALID': { httpStatus: 401, issueType: 'login', severity: 'error', retryable: false },
  // A valid token whose SMART scopes do not grant the interaction on the resource type: 403.
  'AUTH.SCOPE_INSUFFICIENT': { httpStatus: 403, issueType: 'forbidden', severity: 'error', retryable: false },
  // The interaction records a person (a review): the token must name one (fhirUser → Practitioner).
  'AUTH.USER_REQUIRED': { httpStatus: 403, issueType: 'forbidden', severity: 'error', retryable: false },
  'CONFIG.INVALID': { httpStatus: 500, issueType: 'exception', severity: 'fatal', retryable: false },
  INTERNAL: { httpStatus: 500, issueType: 'exception', severity: 'error', retryable: true },
};

/**
 * The one error type the service throws on purpose. `message` is safe to show a client
 * (never PHI, never a stack); `cause` keeps the underlying error for logs.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Readonly<Record<string, unknown>>; expression?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.details = options.details;
    this.expression = options.expression;
  }
  readonly details?: Readonly<Record<string, unknown>>;
  /** FHIRPath-style locations of the problem in the request, for OperationOutcome.issue.expression. */
  readonly expression?: readonly string[];

  get spec(): ErrorSpec {
    return ERROR_TABLE[this.code];
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) return value;
  return new AppError('INTERNAL', 'Internal error', { cause: value });
}
