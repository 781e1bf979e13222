import { Controller, Get, Header, Headers, HttpCode, Inject, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { decideMetricsAccess } from '../operations/metrics-access';
import { PublicRoute } from '../auth/access.decorator';

/** What GET /health says: role, database mode, model identity and the execution provider in use. */
export function healthSummary(runtime: Runtime): Record<string, unknown> {
  const { model, scoring, database, config, startedAt } = runtime;
  return {
    status: 'ok',
    role: config.role,
    database: database.mode,
    model: { ...scoring.model.identity },
    executionProvider: model?.executionProvider ?? null,
    startedAt: startedAt.toISOString(),
  };
}

/**
 * Health and metrics: public routes (auth/public-routes.ts), since probes and Prometheus carry no user
 * token; /metrics holds counts and timings only (no PHI) and can require its own, BRIXIA_METRICS_TOKEN.
 * /health keeps its summary; /health/live says the process runs; /health/ready says it should get
 * traffic (docs/operations.md).
 */
@Controller()
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('health')
  @PublicRoute()
  health(): unknown {
    return healthSummary(this.runtime);
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
    const report = await this.runtime.readiness();
    if (!report.ready) res.status(503);
    return { status: report.ready ? 'ready' : 'not ready', ...report };
  }

  @Get('metrics')
  @PublicRoute()
  @Header('cache-control', 'no-store')
  async metrics(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) res: Response): Promise<string> {
    const decision = decideMetricsAccess(this.runtime.config.operations.metrics, authorization);
    if (decision === 'disabled') throw new NotFoundException();
    if (decision === 'unauthorized') throw new UnauthorizedException();
    res.type(this.runtime.metrics.contentType);
    return this.runtime.metrics.registry.metrics();
  }
}
