import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@brixia/common';

/**
 * The route template of a request (`/api/v1/patients/:id/timeline`), never its URL: URLs carry patient
 * ids and query values, which must not reach the logs.
 */
export function routeTemplate(request: Request): string {
  const route = (request as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${request.baseUrl}${route.path}`;
  // Served by a middleware (GraphQL, docs, static files) or matched nothing: the first path segment only.
  const first = request.originalUrl.split('?')[0].split('/').filter(Boolean)[0];
  return first === undefined ? '/' : `/${first}/…`;
}

/** One access-log line per request when the response has been sent (or the client went away). */
export function accessLogMiddleware(logger: Logger): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    let logged = false;
    const log = (): void => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          requestId: response.getHeader('x-request-id') ?? request.headers['x-request-id'],
          method: request.method,
          route: routeTemplate(request),
          status: response.writableFinished ? response.statusCode : 499,
          durationMs: Math.round(durationMs * 10) / 10,
        },
        'request',
      );
    };
    response.once('finish', log);
    response.once('close', log);
    next();
  };
}
