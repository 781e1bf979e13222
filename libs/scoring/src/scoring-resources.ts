import { createHash } from 'node:crypto';
import type { ModelIdentity } from '@brixia/common';
import { buildBrixiaObservation, buildDiagnosticReport, buildModelDevice, buildProvenance, observationIdentifier, type FhirConfig } from '@brixia/fhir';
import type { DecodedRadiograph } from '@brixia/imaging';
import type { ModelOutput } from '@brixia/inference';
import type { CompletedScoring, ExpectedPoint, NewOutboxMessage, StudyPointRecord } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { instanceQualityOf, type InstanceQuality, type StudyPoint, type StudyPointDecision } from './study-point';

/**
 * The pure half of a scoring job: from what the job read and the model said to the resources and the
 * completion the store records. No I/O, no clock: the same inputs give the same resources, so a redo
 * (crash, retry) writes the same rows.
 */

type ScoringStorePort = ScoringContext['store'];
/** A stored ImagingStudy, as the store answers it. */
export type StoredStudy = NonNullable<Awaited<ReturnType<ScoringStorePort['findStudy']>>>;
/** The result row of a completion. */
export type ScoringResultRow = CompletedScoring['result'];

/** Ids derived from the task, so a redo after a crash writes the same resources. */
export interface ResultIds {
  readonly observationId: string;
  readonly reportId: string;
  readonly provenanceId: string;
}

/** The result's ids of a task. */
export function resultIdsOf(taskId: string): ResultIds {
  return { observationId: derivedId('obs', taskId), reportId: derivedId('dr', taskId), provenanceId: derivedId('prov', taskId) };
}

/**
 * The subject of a result: a study from an EHR names the EHR's Patient (absolute URL + identifier);
 * undefined for ours, which the builders write as `Patient/<patientId>`.
 */
export function resultSubjectOf(study: Pick<StoredStudy, 'source' | 'resource'> | null): fhir4.Reference | undefined {
  const subject = study?.source === 'external' ? study.resource.subject : undefined;
  return subject?.reference && /^https?:\/\//.test(subject.reference) ? subject : undefined;
}

/** What buildScoringResult needs: the task, its study, the decoded image and what the model said. */
export interface ScoringResultInput {
  readonly task: { readonly id: string; readonly imagingStudyId: string | null };
  readonly study: Pick<StoredStudy, 'studyInstanceUid' | 'source' | 'resource'> | null;
  /** The bytes scored: their hash names a PNG/JPEG, which has no SOP Instance UID. */
  readonly pixels: Uint8Array;
  readonly decoded: DecodedRadiograph;
  readonly output: ModelOutput;
  readonly model: ModelIdentity;
  /** The one patient of the result (resultPatientIdOf). */
  readonly patientId: string;
  /** Acquisition time of the image (checked), never the inference time. */
  readonly acquiredAt: string;
  /** Inference completion time. */
  readonly issued: string;
}

/** A scored instance as FHIR resources and a result row, before its study's point is decided. */
export interface ScoringResult {
  readonly taskId: string;
  readonly ids: ResultIds;
  readonly patientId: string;
  readonly issued: string;
  readonly model: ModelIdentity;
  readonly imagingStudyId?: string;
  readonly observation: fhir4.Observation;
  readonly report: fhir4.DiagnosticReport;
  readonly row: ScoringResultRow;
  /** How good a view of its study this instance is (study-point.ts). */
  readonly quality: InstanceQuality;
}

/** The Observation, DiagnosticReport and result row of one scored instance, all under one patient. */
export function buildScoringResult(fhir: FhirConfig, input: ScoringResultInput): ScoringResult {
  const { task, study, decoded, output, model, patientId, acquiredAt, issued } = input;
  const ids = resultIdsOf(task.id);
  const { metadata } = decoded;
  const imagingStudyId = task.imagingStudyId ?? undefined;
  const studyInstanceUid = study?.studyInstanceUid ?? metadata.studyInstanceUid ?? `2.25.${uuidAsDecimal(task.imagingStudyId ?? task.id)}`;
  // PNG/JPEG have no SOP Instance UID: the image hash stands in, so the identifier stays deterministic.
  const sopInstanceUid = metadata.sopInstanceUid ?? createHash('sha256').update(input.pixels).digest('hex');
  const subject = resultSubjectOf(study);
  const identifier = observationIdentifier(fhir, { patientId, studyInstanceUid, sopInstanceUid, modelVersion: model.version });
  const observation = buildBrixiaObservation(fhir, {
    id: ids.observationId,
    scoring: output,
    model,
    patientId,
    subject,
    imagingStudy: { id: imagingStudyId, studyInstanceUid: study?.studyInstanceUid ?? metadata.studyInstanceUid },
    sopInstanceUid: metadata.sopInstanceUid,
    identifier,
    effectiveDateTime: acquiredAt,
    issued,
    status: 'preliminary',
    method: 'bsnet-automated',
  });
  const report = buildDiagnosticReport(fhir, {
    id: ids.reportId,
    observationId: ids.observationId,
    scoring: output,
    patientId,
    subject,
    imagingStudyId,
    effectiveDateTime: acquiredAt,
    issued,
    model,
    status: 'preliminary',
  });
  const quality = instanceQualityOf({ viewPosition: metadata.viewPosition, width: decoded.image.width, height: decoded.image.height, lungMask: output.lungMask });
  const row: ScoringResultRow = {
    id: ids.observationId,
    taskId: task.id,
    patientId,
    imagingStudyId: task.imagingStudyId,
    identifierSystem: identifier.system ?? '',
    identifierValue: identifier.value ?? '',
    acquiredAt: new Date(acquiredAt),
    issuedAt: new Date(issued),
    globalScore: output.global,
    zoneScores: { ...output.zones },
    probabilities: { ...output.probabilities },
    modelVersion: model.version,
    modelSha256: model.sha256,
    method: 'bsnet-automated',
    status: 'preliminary',
    instanceQuality: quality,
    supersededBy: null,
    alignment: [...output.lungMask.alignment],
  };
  return { taskId: task.id, ids, patientId, issued, model, imagingStudyId, observation, report, row, quality };
}

/**
 * The publication of a result to its study's EHR, or undefined when the study came from none: the
 * published resources in dependency order, and the result it supersedes as its study's point.
 */
export type PublicationOf = (published: readonly fhir4.FhirResource[], supersedesObservationId?: string) => NewOutboxMessage | undefined;

/**
 * What the store records when `decision` makes the result its study's point (first, or superseding
 * the current one): the result with its Provenance (naming the superseded Observation and
 * DiagnosticReport), the outbox message and the Subscription event, against the point decided on.
 */
export function buildCompletion(
  fhir: FhirConfig,
  result: ScoringResult,
  decision: Exclude<StudyPointDecision, { kind: 'skip' }>,
  current: StudyPointRecord | null,
  publicationOf: PublicationOf,
): CompletedScoring {
  const { ids } = result;
  const supersedes = decision.kind === 'supersede' ? decision : undefined;
  const replaced = supersedes ? [`Observation/${supersedes.observationId}`, ...(current?.diagnosticReportId ? [`DiagnosticReport/${current.diagnosticReportId}`] : [])] : [];
  const provenance = buildProvenance(fhir, {
    id: ids.provenanceId,
    targets: [`Observation/${ids.observationId}`, `DiagnosticReport/${ids.reportId}`],
    recorded: result.issued,
    model: result.model,
    imagingStudyId: result.imagingStudyId,
    activity: 'create',
    ...(replaced.length > 0 ? { supersedes: replaced } : {}),
  });
  const published = [buildModelDevice(result.model, fhir), result.observation, result.report, provenance];
  return {
    taskId: result.taskId,
    result: result.row,
    resources: [result.observation, result.report, provenance],
    diagnosticReportId: ids.reportId,
    outbox: publicationOf(published, supersedes?.observationId),
    events: [{ focus: `Observation/${ids.observationId}`, patientId: result.patientId }],
    expectedPoint: expectedPointOf(current),
    ...(supersedes ? { supersedes: { observationId: supersedes.observationId, reason: supersedes.reason } } : {}),
  };
}

/** The stored point as ranking sees it (reviewed = a clinician changed its status). */
export function studyPointOf(record: StudyPointRecord | null): StudyPoint | null {
  return record ? { observationId: record.observationId, quality: record.quality, reviewed: record.status !== 'preliminary' } : null;
}

/** The point a decision was made against, for the store to re-check under the study lock. */
export function expectedPointOf(record: StudyPointRecord | null): ExpectedPoint {
  return record ? { observationId: record.observationId, versionId: record.versionId } : null;
}

function derivedId(prefix: string, taskId: string): string {
  return `${prefix}-${createHash('sha256').update(`${prefix}:${taskId}`).digest('hex').slice(0, 32)}`;
}

/** A UUID as a decimal integer, for 2.25.<uuid> UIDs (DICOM PS3.5 B.2). */
function uuidAsDecimal(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(hex) ? BigInt(`0x${hex}`).toString(10) : BigInt(`0x${createHash('sha256').update(uuid).digest('hex').slice(0, 32)}`).toString(10);
}
