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
 * ImagingStudy's. Observation, DiagnosticReport, the result row and its explanation images all take it
 * from here. `unknown` is only a placeholder for the impossible case: intake refuses work without a
 * patient (IMAGING.MISSING_PATIENT).
 */
export function resultPatientIdOf(task: { readonly patientId?: string | null }, study?: { readonly patientId?: string | null } | null): string {
  return task.patientId ?? study?.patientId ?? 'unknown';
}

/**
 * The one Patient-reference rule of a study's resources: a study from an EHR names the EHR's Patient
 * (absolute URL plus identifier, as its ImagingStudy copy does), and the Observation, DiagnosticReport,
 * Task.for and the explanation Media and Binary all carry that reference; undefined for our own studies,
 * whose resources say `Patient/<id>`.
 */
export function ehrPatientReferenceOf(
  study: { readonly source?: string; readonly resource?: { readonly subject?: fhir4.Reference } } | null | undefined,
): fhir4.Reference | undefined {
  const subject = study?.source === 'external' ? study.resource?.subject : undefined;
  return subject?.reference && /^https?:\/\//.test(subject.reference) ? subject : undefined;
}
