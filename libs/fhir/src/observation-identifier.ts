import { createHash } from 'node:crypto';
import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { canonical, normalizeDicomUid, type FhirConfig } from './config';

/** Identifier system of Brixia result Observations. */
export function observationIdentifierSystem(config: FhirConfig): string {
  return `${canonical(config)}/sid/brixia-observation`;
}

// Part of the hashed text: a new scheme gets a new tag, so old and new values can never collide.
const SCHEME = 'brixia-observation/v1';

/**
 * Deterministic business identifier of the result for one image and one model version: the
 * SHA-256 (hex) of (StudyInstanceUID, SOPInstanceUID, model version). Re-processing the same
 * image with the same model gives the same identifier, so `If-None-Exist` and the projection can
 * dedupe (fhir.md: duplicate results on re-processing are a known complaint against peers).
 */
export function observationIdentifier(
  config: FhirConfig,
  input: { readonly studyInstanceUid: string; readonly sopInstanceUid: string; readonly modelVersion: string },
): fhir4.Identifier {
  const parts = [normalizeDicomUid(input.studyInstanceUid), normalizeDicomUid(input.sopInstanceUid), input.modelVersion.trim()];
  const names = ['studyInstanceUid', 'sopInstanceUid', 'modelVersion'];
  parts.forEach((part, index) => {
    if (part.length === 0) throw new AppError('INTERNAL', `Observation identifier needs a non-empty ${names[index]}`);
  });
  // A JSON array keeps the parts apart: ("1.2","3") and ("1","2.3") hash differently.
  const value = createHash('sha256').update(JSON.stringify([SCHEME, ...parts])).digest('hex');
  return { use: 'official', system: observationIdentifierSystem(config), value };
}
