import { createHash } from 'node:crypto';
import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { canonical, normalizeDicomUid, type FhirConfig } from './config';

/** Identifier system of Brixia result Observations. */
export function observationIdentifierSystem(config: FhirConfig): string {
  return `${canonical(config)}/sid/brixia-observation`;
}

// Part of the hashed text: a new scheme gets a new tag, so old and new values can never collide.
const SCHEME = 'brixia-observation/v2';

/**
 * Deterministic business identifier of the result for one patient, one image and one model version
 * (the identity of a result): the SHA-256 (hex) of (patient id, StudyInstanceUID, SOPInstanceUID, model
 * version). Re-processing the same image for the same patient with the same model gives the same
 * identifier, so `If-None-Exist` and the projection can dedupe (duplicate results on re-processing are a
 * known complaint against peers), while one patient's identifier can never match another patient's result.
 * Results stored under scheme v1 (without the patient) keep their identifiers.
 */
export function observationIdentifier(
  config: FhirConfig,
  input: { readonly patientId: string; readonly studyInstanceUid: string; readonly sopInstanceUid: string; readonly modelVersion: string },
): fhir4.Identifier {
  const parts = [input.patientId.trim(), normalizeDicomUid(input.studyInstanceUid), normalizeDicomUid(input.sopInstanceUid), input.modelVersion.trim()];
  const names = ['patientId', 'studyInstanceUid', 'sopInstanceUid', 'modelVersion'];
  parts.forEach((part, index) => {
    if (part.length === 0) throw new AppError('INTERNAL', `Observation identifier needs a non-empty ${names[index]}`);
  });
  // A JSON array keeps the parts apart: ("1.2","3") and ("1","2.3") hash differently.
  const value = createHash('sha256').update(JSON.stringify([SCHEME, ...parts])).digest('hex');
  return { use: 'official', system: observationIdentifierSystem(config), value };
}
