import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '@brixia/common';
import { RESOURCE_SERVER } from '../infrastructure/tokens';
import { PublicRoute } from './access.decorator';
import type { ResourceServer } from './resource-server';
import { smartConfiguration } from './smart-configuration';

/** SMART discovery at the FHIR base (public, like /fhir/metadata). */
@Controller('fhir/.well-known')
export class SmartConfigurationController {
  constructor(@Inject(RESOURCE_SERVER) private readonly server: ResourceServer) {}

  @Get('smart-configuration')
  @PublicRoute()
  configuration(@Res() response: Response): void {
    const body = smartConfiguration(this.server);
    if (!body) throw new AppError('RESOURCE.NOT_FOUND', 'Authorization is off on this server');
    response.status(200).type('application/json').setHeader('Cache-Control', 'no-cache').send(JSON.stringify(body));
  }
}
