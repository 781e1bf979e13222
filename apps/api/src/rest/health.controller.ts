import { Controller, Get, Header, Headers, HttpCode, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { OPERATIONS } from '../infrastructure/tokens';
import { decideMetricsAccess } from '../operations/metrics-access';
import type { OperationsEndpoints } from '../operations/operations-server';
import { PublicRoute } from '../auth/access.decorator';

/**
 * Health and metrics: public routes (auth/public-routes.ts), since probes and Prometheus carry no user
 * token; /metrics holds counts and timings only (no PHI) and can require its own, BRIXIA_METRICS_TOKEN.
 * /health keeps its summary; /health/live says the process runs; /health/ready says it should get
 * traffic (docs/operations.md). The same endpoints serve the worker role's operations port.
 */
@Controller()
export class HealthController {
  constructor(@Inject(OPERATIONS) private readonly operations: OperationsEndpoints) {}

  @Get('health')
  @PublicRoute()
  health(): unknown {
    return this.operations.health();
  }

  @Get('health/live')
  @PublicRoute()
  live(): unknown {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @PublicRoute()
  @HttpCode(200)
  async ready(@Res({ passthrough: true }) res: Response): Promise<unknown> {
    const report = await this.operations.readiness();
    if (!report.ready) res.status(503);
    return { status: report.ready ? 'ready' : 'not ready', ...report };
  }

  @Get('metrics')
  @PublicRoute()
  @Header('cache-control', 'no-store')
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    const decision = decideMetricsAccess(this.operations.metricsAccess, authorization);
    if (decision === 'disabled') throw new NotFoundException();
    if (decision === 'unauthorized') throw new UnauthorizedException();
    res.type(this.operations.metrics.contentType);
    return this.operations.metrics.registry.metrics();
  }
}
