import type * as fhir4 from 'fhir/r4';

/** Where this service's FHIR API lives and under which canonical base its artefacts are published. */
export interface FhirConfig {
  /** Public base of our FHIR API, e.g. http://localhost:3000/fhir (used for fullUrl and links). */
  readonly baseUrl: string;
  /** Canonical base for CodeSystem, extensions, OperationDefinition and identifier systems, e.g. https://brixia.example.org/fhir. */
  readonly canonicalBase: string;
}

/** The canonical base without a trailing slash, so `${canonical}/CodeSystem/x` never doubles it. */
export function canonical(config: FhirConfig): string {
  return config.canonicalBase.replace(/\/+$/, '');
}

/** The API base without a trailing slash. */
export function apiBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** FHIR R4 id: 1–64 of [A-Za-z0-9-.] (http://hl7.org/fhir/R4/datatypes.html#id). */
export const FHIR_ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

/** DICOM UIDs as FHIR identifiers: system urn:dicom:uid, value urn:oid:<uid> (DICOM SR → FHIR mapping IG). */
export function dicomUidIdentifier(uid: string): fhir4.Identifier {
  return { system: 'urn:dicom:uid', value: `urn:oid:${normalizeDicomUid(uid)}` };
}

/**
 * DICOM pads UIDs with a trailing NUL to an even length (PS3.5 §9.1); some writers pad with
 * spaces. Strip both so the same UID always hashes and prints the same.
 */
export function normalizeDicomUid(uid: string): string {
  return uid.replace(/[\0\s]+$/, '').trim();
}
