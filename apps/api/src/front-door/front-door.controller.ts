import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { frontDoorPage } from './front-door-page';
import { PublicRoute } from '../auth/access.decorator';

/**
 * `GET /`: what the service is, its intended use and where everything lives. It shows no
 * patient data, so it is public like the CapabilityStatement.
 */
@ApiExcludeController()
@Controller()
export class FrontDoorController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get()
  @PublicRoute()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): string {
    const { model } = this.runtime.scoring;
    return frontDoorPage({ publicBaseUrl: this.runtime.config.publicBaseUrl, modelVersion: model.identity.version, modelSha256: model.identity.sha256, role: this.runtime.config.role });
  }
}
