import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../../apps/api/src/audit/principal';

/** Header carrying a principal for the audit and hardening specs (base64url JSON of a Principal). */
export const TEST_PRINCIPAL_HEADER = 'x-test-principal';

/** The header value for `principal`. */
export function principalHeader(principal: Principal): string {
  return Buffer.from(JSON.stringify(principal)).toString('base64url');
}

/**
 * Test stand-in for the authorization layer (plugged in through createHttpApp's `authenticate`):
 * attaches the principal the test names, and answers 401/403 itself when asked to (`x-test-refuse`),
 * as a token guard would, so the audit hook is exercised on refusals it did not produce.
 * Never part of the service: real requests carry bearer tokens verified by the auth layer.
 */
export function testAuthenticate(request: Request, response: Response, next: NextFunction): void {
  const given = request.headers[TEST_PRINCIPAL_HEADER];
  if (typeof given === 'string') (request as Request & { principal?: Principal }).principal = JSON.parse(Buffer.from(given, 'base64url').toString('utf8')) as Principal;
  const refuse = Number(request.headers['x-test-refuse']);
  if (refuse === 401 || refuse === 403) {
    response.status(refuse).type('application/fhir+json').send(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: refuse === 401 ? 'login' : 'forbidden' }] }));
    return;
  }
  next();
}
