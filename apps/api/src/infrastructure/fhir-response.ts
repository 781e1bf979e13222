import type { Request, Response } from 'express';
import { withNarrative } from '@brixia/fhir';
import { noteServed } from '../audit/audit-trail';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/**
 * Sends a FHIR resource with the FHIR media type (http://hl7.org/fhir/R4/http.html#mime-type) and,
 * when it has a version, `ETag: W/"<versionId>"` and `Last-Modified` (http://hl7.org/fhir/R4/http.html#read);
 * on an audited route the resource's references and patients go on the request's AuditEvent. Every
 * resource leaves with a generated narrative (libs/fhir narrative.ts).
 */
export function sendFhir(response: Response, status: number, served: fhir4.FhirResource, headers: Record<string, string> = {}): void {
  const resource = withNarrative(served);
  noteServed(response.req, resource);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  if (resource.meta?.versionId) response.setHeader('ETag', `W/"${resource.meta.versionId}"`);
  if (resource.meta?.versionId && resource.meta.lastUpdated) response.setHeader('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  const pretty = response.req?.query?.['_pretty'] === 'true';
  response.status(status).type(FHIR_JSON).send(pretty ? JSON.stringify(resource, null, 2) : JSON.stringify(resource));
}

/**
 * A read with the conditional-read headers honoured (http://hl7.org/fhir/R4/http.html#cread):
 * `If-None-Match` naming the current version, or `If-Modified-Since` at or after its last update,
 * answer 304 Not Modified without a body.
 */
export function sendFhirRead(request: Request, response: Response, resource: fhir4.FhirResource): void {
  const versionId = resource.meta?.versionId;
  const lastUpdated = resource.meta?.lastUpdated;
  if (versionId) {
    response.setHeader('ETag', `W/"${versionId}"`);
    if (lastUpdated) response.setHeader('Last-Modified', new Date(lastUpdated).toUTCString());
    const noneMatch = request.headers['if-none-match'];
    const tags = (noneMatch ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
    const modifiedSince = request.headers['if-modified-since'];
    const since = modifiedSince ? Date.parse(modifiedSince) : Number.NaN;
    const notModified =
      noneMatch !== undefined
        ? tags.includes(`"${versionId}"`) || tags.includes('*')
        : lastUpdated !== undefined && !Number.isNaN(since) && Math.floor(new Date(lastUpdated).getTime() / 1000) * 1000 <= since;
    if (notModified) {
      response.status(304).end();
      return;
    }
  }
  sendFhir(response, 200, resource);
}

/** The `return` preference of a create (http://hl7.org/fhir/R4/http.html#ops): minimal, representation (default) or OperationOutcome. */
export function preferredReturn(prefer: string | undefined): 'minimal' | 'representation' | 'OperationOutcome' {
  const token = (prefer ?? '').split(/[,;]/).map((part) => part.replace(/\s+/g, '')).find((part) => part.toLowerCase().startsWith('return='));
  const value = token?.slice('return='.length).toLowerCase();
  return value === 'minimal' ? 'minimal' : value === 'operationoutcome' ? 'OperationOutcome' : 'representation';
}

/**
 * Answers a create (201, or 200 for an idempotent repeat) as `Prefer: return=` asks: the resource,
 * no body, or an OperationOutcome about the outcome; Location/ETag/Last-Modified always.
 */
export function sendCreated(request: Request, response: Response, status: number, resource: fhir4.FhirResource, headers: Record<string, string>): void {
  const prefer = request.headers.prefer;
  const wanted = preferredReturn(Array.isArray(prefer) ? prefer.join(",") : prefer);
  if (wanted === 'representation') return sendFhir(response, status, resource, headers);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  if (resource.meta?.versionId) response.setHeader('ETag', `W/"${resource.meta.versionId}"`);
  if (wanted === 'minimal') {
    response.status(status).end();
    return;
  }
  const outcome: fhir4.OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'information', code: 'informational', diagnostics: `${status === 201 ? 'Created' : 'Found'} ${resource.resourceType}/${resource.id}` }],
  };
  sendFhir(response, status, outcome);
}

/** True when the client asked for the async pattern (http://hl7.org/fhir/R4/async.html). */
export function wantsAsync(prefer: string | undefined): boolean {
  return (prefer ?? '').split(/[,;]/).some((token) => token.trim().toLowerCase() === 'respond-async');
}
