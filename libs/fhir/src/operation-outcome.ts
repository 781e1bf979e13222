import type * as fhir4 from 'fhir/r4';
import { AppError, ERROR_TABLE, isAppError, type ErrorCode, type FhirIssueType } from '@brixia/common';
import { withNarrative } from './narrative';
import { fhirString } from './primitives';

export type FhirIssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export interface OutcomeIssue {
  readonly severity: FhirIssueSeverity;
  readonly code: FhirIssueType;
  /** Human-readable, safe to show a client (no PHI, no stack). */
  readonly diagnostics: string;
  /** FHIRPath locations of the problem in the request. */
  readonly expression?: readonly string[];
}

/** An OperationOutcome of the given issues (at least one, as R4 requires). */
export function operationOutcome(issues: readonly OutcomeIssue[]): fhir4.OperationOutcome {
  if (issues.length === 0) throw new AppError('INTERNAL', 'An OperationOutcome needs at least one issue');
  return withNarrative({
    resourceType: 'OperationOutcome',
    issue: issues.map((issue) => ({
      severity: issue.severity,
      code: issue.code,
      diagnostics: fhirString(issue.diagnostics),
      ...(issue.expression && issue.expression.length > 0 ? { expression: issue.expression.map(fhirString) } : {}),
    })),
  });
}

/**
 * The OperationOutcome of a failure with a known code, via the one ERROR_TABLE: issue code and
 * severity from the table, `details.text` = the error code (machine-readable, AREA.REASON),
 * `diagnostics` = the safe message, plus the request id when known so support can find the logs.
 */
export function outcomeForCode(code: ErrorCode, message: string, options: { requestId?: string; expression?: readonly string[] } = {}): fhir4.OperationOutcome {
  const spec = ERROR_TABLE[code];
  // A message may echo what the request sent (an id with a NUL): kept readable but a valid FHIR string.
  const diagnostics = fhirString(options.requestId ? `${message} (request id ${options.requestId})` : message);
  return withNarrative({
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: spec.severity,
        code: spec.issueType,
        details: { text: code },
        diagnostics,
        ...(options.expression && options.expression.length > 0 ? { expression: options.expression.map(fhirString) } : {}),
      },
    ],
  });
}

/**
 * HTTP status and OperationOutcome for anything thrown. AppErrors map through ERROR_TABLE and keep
 * their safe message; anything else is 500 "Internal error" — the cause's message and stack are
 * for the logs only (unknown errors → 500 with the stack logged, never sent to the client).
 */
export function operationOutcomeFromError(error: unknown, requestId?: string): { status: number; outcome: fhir4.OperationOutcome } {
  if (isAppError(error)) {
    return {
      status: error.spec.httpStatus,
      outcome: outcomeForCode(error.code, error.message, { requestId, expression: error.expression }),
    };
  }
  return { status: ERROR_TABLE.INTERNAL.httpStatus, outcome: outcomeForCode('INTERNAL', 'Internal error', { requestId }) };
}
