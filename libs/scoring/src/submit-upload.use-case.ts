import { createHash, randomUUID } from 'node:crypto';
import { AppError, isAppError } from '@brixia/common';
import { buildImagingStudy, buildLocalPatient, FHIR_ID_PATTERN } from '@brixia/fhir';
import { assertFrontalView, detectImageFormat, readRadiographMetadata, type RadiographMetadata } from '@brixia/imaging';
import type { RecordedRequest } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';

export interface UploadInput {
  readonly bytes: Buffer;
  /** Patient id; taken from the DICOM header when absent. */
  readonly patientId?: string;
  /** ISO date-time of acquisition; required for PNG/JPEG, overrides the DICOM header when given. */
  readonly acquired?: string;
  readonly requestId?: string;
  /**
   * Asynchronous intake records an unreadable or refused image as a failed Task (the client
   * polls it); synchronous intake throws so the client gets a 422 at once.
   */
  readonly respondAsync: boolean;
}

const CONTENT_TYPES = { dicom: 'application/dicom', png: 'image/png', jpeg: 'image/jpeg' } as const;
const FHIR_ID = FHIR_ID_PATTERN;

/** Accepts an uploaded radiograph: validates what can be checked cheaply, records it with its job. */
export async function submitUpload(context: ScoringContext, input: UploadInput): Promise<RecordedRequest> {
  if (input.bytes.length === 0) throw new AppError('REQUEST.INVALID', 'The uploaded file is empty', { expression: ['file'] });
  if (input.patientId !== undefined && !FHIR_ID.test(input.patientId)) {
    throw new AppError('REQUEST.INVALID', 'patient must be a FHIR id ([A-Za-z0-9-.], at most 64 characters)', { expression: ['patient'] });
  }
  const acquired = input.acquired !== undefined ? parseAcquired(input.acquired) : undefined;
  const sha256 = createHash('sha256').update(input.bytes).digest('hex');
  const format = detectImageFormat(input.bytes);

  let metadata: RadiographMetadata | undefined;
  let refusal: AppError | undefined;
  try {
    if (!format) throw new AppError('IMAGING.NOT_AN_IMAGE', 'The file is neither DICOM, PNG nor JPEG');
    metadata = readRadiographMetadata(input.bytes);
    assertFrontalView(metadata);
  } catch (error) {
    if (!isAppError(error) || !error.code.startsWith('IMAGING.')) throw error;
    if (!input.respondAsync) throw error;
    refusal = error;
  }

  const patientId = input.patientId ?? sanitizeId(metadata?.patientId);
  if (!patientId) {
    throw new AppError('REQUEST.INVALID', 'patient is required (the image carries no usable PatientID)', { expression: ['patient'] });
  }
  const acquiredAt = acquired ?? metadata?.acquisitionDateTime;
  if (!acquiredAt && !refusal) {
    throw new AppError('REQUEST.INVALID', 'acquired (ISO date-time) is required when the image carries no acquisition time', { expression: ['acquired'] });
  }

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
      contentType: format ? CONTENT_TYPES[format] : 'application/octet-stream',
      content: input.bytes,
      sopInstanceUid: metadata?.sopInstanceUid ?? null,
      seriesInstanceUid: metadata?.seriesInstanceUid ?? null,
      metadata: { ...(metadata ?? {}), acquisitionDateTime: acquiredAt ?? null },
    },
    request: {
      dedupeKey: `${sha256}:${context.model.identity.version}`,
      modelVersion: context.model.identity.version,
      requestId: input.requestId,
      failure: refusal ? { code: refusal.code, message: refusal.message } : undefined,
    },
  });
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

function parseAcquired(value: string): string {
  // FHIR dateTime with a time needs a zone (http://hl7.org/fhir/R4/datatypes.html#dateTime).
  const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  if (!isoWithZone.test(value) || Number.isNaN(Date.parse(value))) {
    throw new AppError('REQUEST.INVALID', 'acquired must be an ISO 8601 date-time with a zone, e.g. 2024-03-01T10:15:00Z', { expression: ['acquired'] });
  }
  return value;
}

/** DICOM PatientID may hold characters a FHIR id cannot; such ids must be given explicitly. */
function sanitizeId(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && FHIR_ID.test(trimmed) ? trimmed : undefined;
}
