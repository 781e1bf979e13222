import type { NextFunction, Request, Response } from 'express';
import type { ServiceMetrics } from './service-metrics';

/**
 * Times every request by its route template (`/fhir/Observation/:id`, never the concrete path, so
 * label cardinality stays bounded). Routes Express does not know by template (GraphQL, assets,
 * 404s) are labelled by their first path segment.
 */
export function httpMetricsMiddleware(metrics: ServiceMetrics): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const template = (req.route as { path?: string } | undefined)?.path;
      const route = typeof template === 'string' ? `${req.baseUrl}${template}` : `/${req.path.split('/')[1] ?? ''}*`;
      metrics.observeHttp(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
