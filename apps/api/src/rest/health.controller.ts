import { Controller, Get, Inject } from '@nestjs/common';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { PublicRoute } from '../auth/access.decorator';

/** Liveness/readiness: the app only listens after migrations ran and the model loaded. */
@Controller('health')
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get()
  @PublicRoute()
  health(): unknown {
    const { model, scoring, database, config, startedAt } = this.runtime;
    return {
      status: 'ok',
      role: config.role,
      database: database.mode,
      model: { ...scoring.model.identity },
      executionProvider: model?.executionProvider ?? null,
      startedAt: startedAt.toISOString(),
    };
  }
}
