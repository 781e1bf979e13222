import { AppError } from '@brixia/common';

/**
 * The identity of a result: (patient, image, model version). The image is its SOP Instance UID when it has
 * one (the same instance re-encoded in another transfer syntax is the same image, DICOM PS3.3 C.12.1.1.1),
 * else the SHA-256 of its bytes. The database holds an image for one patient only (stored_image.image_key
 * is unique) and one live Task per key, so the same image for another patient is a conflict, never an
 * answer with the first patient's result. migrations/1764280000000-key-results-by-patient.ts writes the
 * same keys for rows recorded before.
 */
export function imageKeyOf(image: { readonly sopInstanceUid?: string | null; readonly sha256: string }): string {
  const uid = image.sopInstanceUid?.replace(/[\0\s]+$/, '').trim();
  return uid ? `sop:${uid}` : `sha256:${image.sha256}`;
}

/** The key of a study resolved from an EHR (its URL there), where no image is held. */
export function externalStudyKeyOf(studyUrlSha256: string): string {
  return `ehr:${studyUrlSha256}`;
}

/** `<patient>|<image key>|<model version>`: FHIR ids and UIDs hold no `|`, so the parts stay apart. */
export function dedupeKeyOf(patientId: string, subjectKey: string, modelVersion: string): string {
  return `${patientId}|${subjectKey}|${modelVersion}`;
}

/**
 * The one patient-id rule of a result: the Task's patient (recorded at intake), else the stored
 * ImagingStudy's. Observation, DiagnosticReport, the result row, its Subscription event and its
 * explanation images all take it from here. A result is never filed under a made-up patient: without
 * either, this refuses with IMAGING.MISSING_PATIENT (not retryable; the scoring job fails the Task with
 * it). Intake refuses such work already (an upload without a patient, an ImagingStudy without a Patient
 * subject), so only a row recorded otherwise gets here.
 */
export function resultPatientIdOf(task: { readonly patientId?: string | null }, study?: { readonly patientId?: string | null } | null): string {
  const patientId = task.patientId || study?.patientId;
  if (!patientId) throw new AppError('IMAGING.MISSING_PATIENT', 'The Task names no Patient, nor does its ImagingStudy: no result is recorded without one');
  return patientId;
}
