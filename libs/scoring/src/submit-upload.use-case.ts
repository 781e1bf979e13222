import { createHash, randomUUID } from 'node:crypto';
import { AppError, isAppError } from '@brixia/common';
import { buildImagingStudy, buildLocalPatient, FHIR_ID_PATTERN } from '@brixia/fhir';
import { assertAcceptableAcquisition, detectImageFormat, readRadiographMetadata, type RadiographMetadata } from '@brixia/imaging';
import type { NewAuditEvent, RecordedRequest } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { checkAcquisitionTime, type AcquisitionTimePolicy } from './acquisition-time';
import { dedupeKeyOf, imageKeyOf } from './result-identity';

export interface UploadInput {
  readonly bytes: Buffer;
  /** Patient id; taken from the DICOM header when absent. */
  readonly patientId?: string;
  /**
   * ISO date-time of acquisition; required for PNG/JPEG, overrides the DICOM header when given. Without a
   * zone it is read in the configured default zone.
   */
  readonly acquired?: string;
  readonly requestId?: string;
  /**
   * Asynchronous intake records an unreadable or refused image as a failed Task (the client
   * polls it); synchronous intake throws so the client gets a 422 at once.
   */
  readonly respondAsync: boolean;
  /** The upload's AuditEvent, written in the transaction that records the upload. */
  readonly audit?: (recorded: RecordedRequest) => NewAuditEvent;
}

const CONTENT_TYPES = { dicom: 'application/dicom', png: 'image/png', jpeg: 'image/jpeg' } as const;
const FHIR_ID = FHIR_ID_PATTERN;

/** Accepts an uploaded radiograph: validates what can be checked cheaply, records it with its job. */
export async function submitUpload(context: ScoringContext, input: UploadInput): Promise<RecordedRequest> {
  if (input.bytes.length === 0) throw new AppError('REQUEST.INVALID', 'The uploaded file is empty', { expression: ['file'] });
  if (input.patientId !== undefined && !FHIR_ID.test(input.patientId)) {
    throw new AppError('REQUEST.INVALID', 'patient must be a FHIR id ([A-Za-z0-9-.], at most 64 characters)', { expression: ['patient'] });
  }
  const policy: AcquisitionTimePolicy = { now: context.clock.now(), maxFutureSkewSeconds: context.maxFutureSkewSeconds, defaultTimezoneOffset: context.defaultTimezoneOffset };
  const acquired = input.acquired !== undefined ? checkAcquisitionTime(input.acquired, policy, { field: 'acquired', label: 'acquired', allowDateOnly: false }) : undefined;
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const format = detectImageFormat(input.bytes);

  let metadata: RadiographMetadata | undefined;
  let refusal: AppError | undefined;
  try {
    if (!format) throw new AppError('IMAGING.NOT_AN_IMAGE', 'The file is neither DICOM, PNG nor JPEG');
    metadata = readRadiographMetadata(input.bytes, { defaultTimezoneOffset: context.defaultTimezoneOffset });
    // The header part of the input gate; the worker checks pixels and the model's outputs (README.md, "Input gate").
    assertAcceptableAcquisition(metadata);
  } catch (error) {
    // Image refusals (IMAGING.* decoding and view, IMAGE.* the input gate) become a failed Task in async mode.
    if (!isAppError(error) || !/^(IMAGING|IMAGE)\./.test(error.code)) throw error;
    if (!input.respondAsync) throw error;
    refusal = error;
  }

  const patientId = input.patientId ?? sanitizeId(metadata?.patientId);
  if (!patientId) {
    throw new AppError('REQUEST.INVALID', 'patient is required (the image carries no usable PatientID)', { expression: ['patient'] });
  }
  // A header time is checked like a client's (DICOM dates that are not calendar dates never get here: they read as absent).
  const headerTime = acquired === undefined && metadata?.acquisitionDateTime !== undefined && !refusal
    ? checkAcquisitionTime(metadata.acquisitionDateTime, policy, { field: 'acquired', label: "The image's acquisition time (DICOM header)", allowDateOnly: true, hint: 'give acquired to override it' })
    : undefined;
  const acquiredAt = acquired ?? headerTime;
  if (!acquiredAt && !refusal) {
    throw new AppError('REQUEST.INVALID', 'acquired (ISO date-time) is required when the image carries no valid acquisition time', { expression: ['acquired'] });
  }

  const imageKey = imageKeyOf({ sopInstanceUid: metadata?.sopInstanceUid, sha256 });
  const studyId = randomUUID();
  const study = buildImagingStudy({
    id: studyId,
    patientId,
    studyInstanceUid: metadata?.studyInstanceUid,
    seriesInstanceUid: metadata?.seriesInstanceUid,
    sopInstanceUid: metadata?.sopInstanceUid,
    sopClassUid: metadata?.sopClassUid,
    modality: metadata?.modality,
    viewPosition: metadata?.viewPosition,
    started: acquiredAt,
    numberOfInstances: 1,
  });
  const recorded = await context.store.recordScoringRequest({
    study: { id: studyId, patientId, studyInstanceUid: metadata?.studyInstanceUid ?? null, source: 'upload', resource: study },
    image: {
      sha256,
      imageKey,
      contentType: format ? CONTENT_TYPES[format] : 'application/octet-stream',
      content: input.bytes,
      sopInstanceUid: metadata?.sopInstanceUid ?? null,
      seriesInstanceUid: metadata?.seriesInstanceUid ?? null,
      metadata: { ...(metadata ?? {}), acquisitionDateTime: acquiredAt ?? null },
    },
    request: {
      dedupeKey: dedupeKeyOf(patientId, imageKey, context.model.identity.version),
      modelVersion: context.model.identity.version,
      requestId: input.requestId,
      failure: refusal ? { code: refusal.code, message: refusal.message } : undefined,
    },
    audit: input.audit,
  });
  // Before the worker reads it back (the job is already queued: a worker faster than this reads the store).
  if (recorded.created && recorded.task.imageId && !refusal) context.uploadHandoff?.put(recorded.task.imageId, input.bytes);
  if (recorded.created) {
    // The results' subject Patient/<id> must resolve: a local Patient with the DICOM PatientID under its issuer.
    const fromHeader = input.patientId === undefined || input.patientId === sanitizeId(metadata?.patientId);
    await context.store.saveResource(
      buildLocalPatient(context.fhir, {
        id: patientId,
        patientIdentifier: fromHeader && metadata?.patientId ? metadata.patientId : patientId,
        issuer: fromHeader ? metadata?.issuerOfPatientId : undefined,
      }),
    );
  }
  context.logger.info(
    { requestId: input.requestId, taskId: recorded.task.id, imagingStudyId: recorded.study?.id, created: recorded.created, refused: refusal?.code },
    'upload recorded',
  );
  return recorded;
}

/** DICOM PatientID may hold characters a FHIR id cannot; such ids must be given explicitly. */
function sanitizeId(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && FHIR_ID.test(trimmed) ? trimmed : undefined;
}
