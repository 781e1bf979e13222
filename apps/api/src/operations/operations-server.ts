import { createServer, type Server } from 'node:http';
import type { Logger } from '@brixia/common';
import { decideMetricsAccess, type MetricsAccess } from './metrics-access';
import type { ReadinessReport } from './readiness';
import type { ServiceMetrics } from './service-metrics';

export interface OperationsEndpoints {
  readonly metrics: ServiceMetrics;
  readonly metricsAccess: MetricsAccess;
  readiness(): Promise<ReadinessReport>;
  /** What GET /health returns (the same body as the API's /health). */
  health(): unknown;
}

/**
 * The worker role's small HTTP port: /health, /health/live, /health/ready and /metrics only, so
 * container healthchecks, Kubernetes probes and Prometheus reach a process that serves no API.
 */
export async function startOperationsServer(endpoints: OperationsEndpoints, port: number, host: string, logger: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const answer = async (): Promise<void> => {
      if (req.method !== 'GET') return json(405, { status: 'method not allowed' });
      switch (path) {
        case '/health':
          return json(200, endpoints.health());
        case '/health/live':
          return json(200, { status: 'ok' });
        case '/health/ready': {
          const report = await endpoints.readiness();
          return json(report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
        }
        case '/metrics': {
          const decision = decideMetricsAccess(endpoints.metricsAccess, req.headers.authorization);
          if (decision === 'disabled') return json(404, { status: 'not found' });
          if (decision === 'unauthorized') return json(401, { status: 'unauthorized' });
          res.writeHead(200, { 'content-type': endpoints.metrics.contentType }).end(await endpoints.metrics.registry.metrics());
          return;
        }
        default:
          return json(404, { status: 'not found' });
      }
    };
    answer().catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'operations endpoint failed');
      if (!res.headersSent) json(500, { status: 'error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
