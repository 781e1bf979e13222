import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { operationOutcomeFromError } from '@brixia/fhir';

/** `_format` values meaning JSON (http://hl7.org/fhir/R4/http.html#mime-type). */
const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);

function asksOnlyForXml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0].trim().toLowerCase());
  return types.some((type) => /xml/.test(type)) && !types.some((type) => /json/.test(type) || type === '*/*' || type === 'application/*' || /^image\//.test(type));
}

/**
 * This server speaks JSON only (its CapabilityStatement.format): a `_format` other than JSON, or an
 * Accept naming XML and no JSON, is answered 406 with an OperationOutcome rather than JSON the
 * client said it cannot read.
 */
export function fhirFormatMiddleware(request: Request, response: Response, next: NextFunction): void {
  const format = new URL(request.originalUrl, 'http://localhost').searchParams.get('_format');
  if ((format !== null && !JSON_FORMATS.has(format.toLowerCase())) || asksOnlyForXml(request.headers.accept)) {
    const requestId = String(request.headers['x-request-id'] ?? '');
    const error = new AppError('REQUEST.NOT_ACCEPTABLE', 'This server answers in application/fhir+json only', { expression: format !== null ? ['_format'] : [] });
    const { status, outcome } = operationOutcomeFromError(error, requestId || undefined);
    response.status(status).type('application/fhir+json').send(JSON.stringify(outcome));
    return;
  }
  next();
}
