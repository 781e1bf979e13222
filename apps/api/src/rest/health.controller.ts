import { Controller, Get, Inject } from '@nestjs/common';
import type { ScoreModel } from '@brixia/inference';
import type { Database } from '@brixia/persistence';
import type { ScoringContext } from '@brixia/scoring';
import type { AppConfig } from '../config';
import { APP_CONFIG, DATABASE, SCORE_MODEL, SCORING_CONTEXT, STARTED_AT } from '../infrastructure/tokens';
import { PublicRoute } from '../auth/access.decorator';

/** Liveness/readiness: the app only listens after migrations ran and the model loaded. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(SCORE_MODEL) private readonly model: ScoreModel | null,
    @Inject(STARTED_AT) private readonly startedAt: Date,
  ) {}

  @Get()
  @PublicRoute()
  health(): unknown {
    const { model, scoring, database, config, startedAt } = this;
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
