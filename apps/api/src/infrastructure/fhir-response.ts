import type { Response } from 'express';
import { noteServed } from '../audit/audit-trail';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * Sends a FHIR resource with the FHIR media type (http://hl7.org/fhir/R4/http.html#mime-type); on an
 * audited route the resource's references and patients go on the request's AuditEvent.
 */
export function sendFhir(response: Response, status: number, resource: fhir4.FhirResource, headers: Record<string, string> = {}): void {
  noteServed(response.req, resource);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  if (resource.meta?.versionId) response.setHeader('ETag', `W/"${resource.meta.versionId}"`);
  response.status(status).type(FHIR_JSON).send(JSON.stringify(resource));
}

/** True when the client asked for the async pattern (http://hl7.org/fhir/R4/async.html). */
export function wantsAsync(prefer: string | undefined): boolean {
  return (prefer ?? '').split(/[,;]/).some((token) => token.trim().toLowerCase() === 'respond-async');
}
