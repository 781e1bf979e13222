import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Principal } from '@brixia/auth';
import { AppError, type Logger } from '@brixia/common';
import { operationOutcomeFromError } from '@brixia/fhir';
import { isPublicRoute } from './public-routes';
import type { ResourceServer } from './resource-server';

declare module 'express-serve-static-core' {
  interface Request {
    /** The verified principal (auth/authentication.middleware.ts); undefined when unauthenticated or refused. */
    principal?: Principal;
  }
}

/** RFC 6750 §3: the challenge of a 401 (invalid_token) or a 403 (insufficient_scope). */
export function bearerChallenge(realm: string, error: 'invalid_token' | 'insufficient_scope', description: string): string {
  const quoted = (value: string): string => value.replace(/["\\]/g, '');
  return `Bearer realm="${quoted(realm)}", error="${error}", error_description="${quoted(description)}"`;
}

/**
 * Authenticates every request that is not on the public list, before any route runs: a missing or
 * invalid token is a 401 OperationOutcome with `WWW-Authenticate`; a valid one becomes `request.principal`.
 */
export function authenticationMiddleware(server: ResourceServer, logger: Logger): RequestHandler {
  return (request: Request, response: Response, next: NextFunction): void => {
    request.principal = undefined;
    if (isPublicRoute(request.method, request.path)) {
      next();
      return;
    }
    server.authenticate(request.headers.authorization).then(
      (principal) => {
        request.principal = principal;
        next();
      },
      (error: unknown) => {
        const refusal = error instanceof AppError ? error : new AppError('AUTH.TOKEN_INVALID', 'The access token could not be verified', { cause: error });
        const requestId = String(request.headers['x-request-id'] ?? '');
        logger.info({ requestId, code: refusal.code, path: request.path, reason: refusal.message }, 'request refused');
        const { status, outcome } = operationOutcomeFromError(refusal, requestId || undefined);
        response.setHeader('WWW-Authenticate', bearerChallenge(server.audience, 'invalid_token', refusal.message));
        response.status(status).type('application/fhir+json').send(JSON.stringify(outcome));
      },
    );
  };
}
