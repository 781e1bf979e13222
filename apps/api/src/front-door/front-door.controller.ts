import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, SCORING_CONTEXT } from '../infrastructure/tokens';
import { frontDoorPage } from './front-door-page';
import { PublicRoute } from '../auth/access.decorator';
import type { AppConfig } from '../config';
import type { ScoringContext } from '@brixia/scoring';

/**
 * `GET /`: what the service is, its intended use and where everything lives. It shows no
 * patient data, so it is public like the CapabilityStatement.
 */
@ApiExcludeController()
@Controller()
export class FrontDoorController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
  ) {}

  @Get()
  @PublicRoute()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): string {
    const { model } = this.scoring;
    return frontDoorPage({ publicBaseUrl: this.config.publicBaseUrl, modelVersion: model.identity.version, modelSha256: model.identity.sha256, role: this.config.role });
  }
}
