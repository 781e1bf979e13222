import request from 'supertest';
import { fhirConformanceErrors } from '@brixia/fhir/testing';

// Every FHIR resource an e2e test receives through supertest (service.http, service.anonymous or a
// request() of its own) is validated here, once, by all the independent validators of @brixia/fhir/testing
// (@medplum/core, the official R4 JSON Schema with Ajv, FHIR.js, the JSON rules), and must carry a generated
// narrative (narrativeErrors). The check runs after the
// test's own assertions (a wrong status is reported as such) and fails the request like a failed expect().

type Done = (error: Error | null, response: request.Response) => void;
type Assert = (this: request.Test, resError: Error | null, response: request.Response | undefined, done?: Done) => void;

const FHIR_CONTENT = /^application\/(fhir\+)?json\b/i;

const WITHOUT_TEXT = new Set(['Bundle', 'Parameters', 'Binary']);

/**
 * Our own rule on top of R4's dom-6 (a SHOULD): every DomainResource we emit, alone or in a Bundle, has a
 * generated narrative — except a `_summary`/`_elements` subset (tagged SUBSETTED), which must not gain elements.
 */
export function narrativeErrors(resource: fhir4.FhirResource, path: string = resource.resourceType): string[] {
  if (resource.resourceType === 'Bundle') return (resource.entry ?? []).flatMap((entry, index) => (entry.resource ? narrativeErrors(entry.resource as fhir4.FhirResource, `Bundle.entry[${index}].resource`) : []));
  if (WITHOUT_TEXT.has(resource.resourceType) || resource.meta?.tag?.some((tag) => tag.code === 'SUBSETTED')) return [];
  const text = (resource as fhir4.DomainResource).text;
  return text?.status === 'generated' && text.div.startsWith('<div xmlns="http://www.w3.org/1999/xhtml">') ? [] : [`[narrative] ${path} (${resource.resourceType}): no generated narrative`];
}

/** The conformance errors of a response carrying a FHIR resource; empty for other responses. */
export function fhirResponseErrors(response: Pick<request.Response, 'headers' | 'body'> | undefined): string[] {
  if (!response || !FHIR_CONTENT.test(String(response.headers['content-type'] ?? ''))) return [];
  const body: unknown = response.body;
  if (typeof body !== 'object' || body === null || typeof (body as { resourceType?: unknown }).resourceType !== 'string') return [];
  return [...fhirConformanceErrors(body), ...narrativeErrors(body as fhir4.FhirResource)];
}

const prototype = (request as unknown as { Test: { prototype: { assert: Assert; __fhirChecked?: true } } }).Test.prototype;
if (!prototype.__fhirChecked) {
  const assert = prototype.assert;
  prototype.assert = function (this: request.Test, resError, response, done): void {
    assert.call(this, resError, response, (error, checked) => {
      const errors = error ? [] : fhirResponseErrors(checked);
      const conformance = errors.length > 0 ? new Error(`${this.method} ${this.url}: the FHIR response is not conformant R4:\n  ${errors.slice(0, 40).join('\n  ')}`) : null;
      done?.call(this, error ?? conformance, checked);
    });
  };
  prototype.__fhirChecked = true;
}
