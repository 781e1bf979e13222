import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN } from './config';

// Builders check their inputs so that a bad value fails where it is made, not later in a client's
// validator. A failure here is a programming error (the caller passed something unchecked), hence
// INTERNAL; messages name the field, never its value (it may be PHI).

/** R4 dateTime with a time needs a zone (http://hl7.org/fhir/R4/datatypes.html#dateTime). */
const DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
/** R4 instant: always to the second, always with a zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export function assertFhirId(value: string, field: string): string {
  if (!FHIR_ID_PATTERN.test(value)) throw new AppError('INTERNAL', `${field} is not a FHIR id ([A-Za-z0-9-.], 1–64 characters)`);
  return value;
}

export function assertDateTime(value: string, field: string): string {
  if (!DATE_TIME.test(value)) throw new AppError('INTERNAL', `${field} is not a FHIR dateTime`);
  return value;
}

export function assertInstant(value: string, field: string): string {
  if (!INSTANT.test(value)) throw new AppError('INTERNAL', `${field} is not a FHIR instant`);
  return value;
}

/** `Type/id` after checking the id. */
export function referenceTo(resourceType: string, id: string, display?: string): fhir4.Reference {
  assertFhirId(id, `${resourceType} id`);
  return display === undefined ? { reference: `${resourceType}/${id}` } : { reference: `${resourceType}/${id}`, display };
}

/** Splits `Type/id` (relative) after checking both parts. */
export function parseRelativeReference(value: string, field: string): { resourceType: string; id: string } {
  const match = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value);
  if (!match) throw new AppError('INTERNAL', `${field} must be a relative reference Type/id`);
  return { resourceType: match[1], id: match[2] };
}

/** `meta` with only the fields that have values (FHIR forbids empty objects). */
export function metaOf(fields: { versionId?: string; lastUpdated?: string; security?: fhir4.Coding[] }): fhir4.Meta | undefined {
  const meta: fhir4.Meta = {};
  if (fields.versionId !== undefined) meta.versionId = assertFhirId(fields.versionId, 'meta.versionId');
  if (fields.lastUpdated !== undefined) meta.lastUpdated = assertInstant(fields.lastUpdated, 'meta.lastUpdated');
  if (fields.security !== undefined && fields.security.length > 0) meta.security = fields.security;
  return Object.keys(meta).length > 0 ? meta : undefined;
}

/** Text made safe for a narrative's XHTML div. */
export function escapeXhtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// R4 string (http://hl7.org/fhir/R4/datatypes.html#string): no characters below U+0020 other than tab, CR and LF.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;

/** Text made a valid FHIR string: control characters (e.g. a NUL echoed from a request) become `\uXXXX`. */
export function fhirString(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
