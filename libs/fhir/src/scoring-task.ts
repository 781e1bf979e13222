import type * as fhir4 from 'fhir/r4';
import type { ErrorCode } from '@brixia/common';
import { SCORING_REQUEST_CODE, brixiaCoding } from './brixia-code-system';
import type { FhirConfig } from './config';
import { brixiaScoreOperationUrl } from './brixia-score.operation';
import { outcomeForCode } from './operation-outcome';
import { assertDateTime, assertFhirId, referenceTo } from './primitives';

/** Task.status of a scoring job: requested → in-progress → completed | failed (docs/fhir-profile.md). */
export type ScoringTaskStatus = 'requested' | 'in-progress' | 'completed' | 'failed';
/** Task.businessStatus sub-steps. */
export type ScoringBusinessStatus = 'queued' | 'fetching' | 'inferring' | 'publishing' | 'done' | 'failed' | 'publish-failed' | 'skipped' | 'superseded';

export interface ScoringTaskInput {
  readonly id: string;
  readonly status: ScoringTaskStatus;
  readonly businessStatus?: ScoringBusinessStatus;
  readonly failure?: { readonly code: ErrorCode; readonly message: string };
  readonly imagingStudyId?: string;
  readonly patientId?: string;
  /**
   * Task.for when the Patient is not ours: an EHR's Patient by absolute URL plus its identifier, the
   * reference the study's results carry (docs/fhir-profile.md, "Patient references"); `Patient/<patientId>` otherwise.
   */
  readonly subject?: fhir4.Reference;
  readonly authoredOn: string;
  readonly lastModified: string;
  readonly observationId?: string;
  readonly diagnosticReportId?: string;
  /** Dedupe key (same image + model version → same Task). */
  readonly identifier?: fhir4.Identifier;
  /** Request id of the submission, for support (also in logs). */
  readonly requestId?: string;
  /**
   * Not the ImagingStudy's timeline point: another instance's Observation is. Without `superseded` the Task
   * has no result of its own; with it, its result was the point until a better instance replaced it.
   */
  readonly skipped?: { readonly reason: string; readonly pointObservationId: string; readonly superseded?: boolean };
}

const OUTCOME_ID = 'outcome';

/**
 * The Task that tracks one scoring request (FHIR async pattern + Task, docs/fhir-profile.md): intent `order`,
 * code = our scoring-request code, instantiatesUri = the `$brixia-score` OperationDefinition,
 * focus = ImagingStudy, for = Patient, output = Observation and DiagnosticReport when completed.
 * A failed Task carries statusReason (the safe message) and, as output, a contained
 * OperationOutcome with the error code — the shape jobs use to report non-retryable failures.
 * A skipped Task (a further instance of a study that already has its timeline point) is completed with
 * businessStatus `skipped`, the reason in statusReason, and as output the study's point Observation. A
 * superseded Task (its result was the point until a better instance replaced it) keeps its own outputs,
 * adds the new point, and says why in statusReason (businessStatus `superseded`).
 */
export function buildScoringTask(config: FhirConfig, input: ScoringTaskInput): fhir4.Task {
  const failed = input.status === 'failed';
  const failure = failed ? (input.failure ?? { code: 'INTERNAL' as const, message: 'Scoring failed' }) : undefined;
  const output: fhir4.TaskOutput[] = [];
  const superseded = input.skipped?.superseded === true;
  if (input.status === 'completed' && input.skipped && !superseded) {
    output.push(outputReference('Observation', 'Timeline point of the ImagingStudy (another instance)', input.skipped.pointObservationId));
  } else if (input.status === 'completed') {
    if (input.observationId !== undefined) output.push(outputReference('Observation', 'Brixia score Observation', input.observationId));
    if (input.diagnosticReportId !== undefined) output.push(outputReference('DiagnosticReport', 'AI Brixia report', input.diagnosticReportId));
    if (input.skipped) output.push(outputReference('Observation', 'Timeline point of the ImagingStudy (a better instance)', input.skipped.pointObservationId));
  }
  if (failure) output.push({ type: { text: 'OperationOutcome' }, valueReference: { reference: `#${OUTCOME_ID}`, type: 'OperationOutcome' } });
  const businessStatus = input.businessStatus ?? (failed ? 'failed' : superseded ? 'superseded' : input.skipped ? 'skipped' : input.status === 'completed' ? 'done' : undefined);
  return {
    resourceType: 'Task',
    id: assertFhirId(input.id, 'Task id'),
    ...(failure ? { contained: [{ ...outcomeForCode(failure.code, failure.message, { requestId: input.requestId }), id: OUTCOME_ID }] } : {}),
    ...(input.identifier ? { identifier: [input.identifier] } : {}),
    instantiatesUri: brixiaScoreOperationUrl(config),
    status: input.status,
    ...(failure ? { statusReason: { text: failure.message } } : input.skipped ? { statusReason: { text: input.skipped.reason } } : {}),
    ...(businessStatus ? { businessStatus: { text: businessStatus } } : {}),
    intent: 'order',
    code: { coding: [brixiaCoding(config, SCORING_REQUEST_CODE)], text: '$brixia-score' },
    ...(input.imagingStudyId !== undefined ? { focus: referenceTo('ImagingStudy', input.imagingStudyId) } : {}),
    ...(input.subject ? { for: { ...input.subject } } : input.patientId !== undefined ? { for: referenceTo('Patient', input.patientId) } : {}),
    authoredOn: assertDateTime(input.authoredOn, 'authoredOn'),
    lastModified: assertDateTime(input.lastModified, 'lastModified'),
    ...(input.requestId !== undefined ? { note: [{ text: `Request id: ${input.requestId}` }] } : {}),
    ...(output.length > 0 ? { output } : {}),
  };
}

function outputReference(resourceType: string, label: string, id: string): fhir4.TaskOutput {
  return { type: { text: label }, valueReference: { ...referenceTo(resourceType, id), type: resourceType } };
}
