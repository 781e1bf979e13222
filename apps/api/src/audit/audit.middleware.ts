import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '@brixia/common';
import { AppError } from '@brixia/common';
import { operationOutcomeFromError } from '@brixia/fhir';
import { auditedRoute } from './audited-routes';
import { auditNoteOf, type AuditTrail } from './audit-trail';

/**
 * Audits every request to patient data, whatever answers it (handler, exception filter, or an
 * authorization guard's 401/403): the response's first byte is held until its AuditEvent is
 * committed, so a client never holds data whose access is not on the trail, and a crash at any
 * point loses no event of an answered read (README, "Audit trail and HTTP surface").
 * When the event cannot be written, a success is replaced by 503 AUDIT.UNAVAILABLE (no audit, no
 * data); a refusal goes out as it is (it discloses nothing), and the failure is logged.
 */
export function auditMiddleware(trail: AuditTrail, logger: Logger): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    const route = auditedRoute(request.method, request.path);
    if (!route) {
      next();
      return;
    }
    trail.open(request, route);
    holdUntil(response, async () => {
      if (auditNoteOf(request)?.recordedInTransaction) return true;
      try {
        await trail.record(request, response.statusCode);
        return true;
      } catch (error) {
        logger.error({ requestId: request.headers['x-request-id'], status: response.statusCode, err: error instanceof Error ? error.message : String(error) }, 'audit event not recorded');
        return response.statusCode >= 400;
      }
    });
    next();
  };
}

type Write = Response['write'];
type End = Response['end'];

/**
 * Defers every write/end of `response` until `gate` settles; `true` releases them in order,
 * `false` discards them and answers 503 instead (or cuts the connection when headers already left).
 */
function holdUntil(response: Response, gate: () => Promise<boolean>): void {
  const write = response.write.bind(response) as (...args: unknown[]) => boolean;
  const end = response.end.bind(response) as (...args: unknown[]) => Response;
  const queued: Array<() => void> = [];
  let state: 'open' | 'waiting' | 'released' = 'open';
  const restore = (): void => {
    state = 'released';
    response.write = write as Write;
    response.end = end as End;
  };
  const start = (): void => {
    state = 'waiting';
    void gate().then((release) => {
      restore();
      if (release) {
        for (const call of queued.splice(0)) call();
        return;
      }
      queued.length = 0;
      if (response.headersSent) {
        response.destroy();
        return;
      }
      const { status, outcome } = operationOutcomeFromError(new AppError('AUDIT.UNAVAILABLE', 'The access could not be audited; try again'), String(response.getHeader('X-Request-ID') ?? '') || undefined);
      for (const name of response.getHeaderNames()) if (name !== 'x-request-id') response.removeHeader(name);
      response.statusCode = status;
      response.setHeader('Content-Type', 'application/fhir+json; charset=utf-8');
      response.setHeader('Cache-Control', 'no-store');
      end(JSON.stringify(outcome));
    });
  };
  response.write = ((...args: unknown[]): boolean => {
    if (state === 'released') return write(...args);
    queued.push(() => write(...args));
    if (state === 'open') start();
    return true;
  }) as Write;
  response.end = ((...args: unknown[]): Response => {
    if (state === 'released') return end(...args);
    queued.push(() => end(...args));
    if (state === 'open') start();
    return response;
  }) as End;
}
