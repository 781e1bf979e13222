import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { brixiaCodeSystem, brixiaScoreOperationDefinition, capabilityStatement } from '@brixia/fhir';
import { readResource, readTask } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import type { Runtime } from '../runtime';
import { Access, AnyValidToken, CurrentPrincipal, PublicRoute } from '../auth/access.decorator';
import { visibleOrNotFound } from '../auth/compartment';
import type { ResourceServer } from '../auth/resource-server';
import { smartSecurity } from '../auth/smart-configuration';
import { RESOURCE_SERVER, RUNTIME } from '../infrastructure/tokens';
import { sendFhir, sendFhirRead } from '../infrastructure/fhir-response';
import { SOFTWARE_VERSION } from '../software-version';

/** FHIR reads and searches over what this service publishes. */
@Controller('fhir')
export class FhirResourcesController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(RESOURCE_SERVER) private readonly resourceServer: ResourceServer,
  ) {}

  @Get('metadata')
  @PublicRoute()
  metadata(@Res() response: Response): void {
    const statement = capabilityStatement(this.runtime.config.fhir, { softwareVersion: SOFTWARE_VERSION, now: this.runtime.startedAt.toISOString() });
    const security = smartSecurity(this.resourceServer);
    sendFhir(response, 200, security ? { ...statement, rest: statement.rest?.map((rest) => ({ ...rest, security })) } : statement);
  }

  @Get('Task/:id')
  @Access('Task', 'r')
  async task(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readTask(this.runtime.scoring, id)));
  }

  @Get('CodeSystem/brixia-score')
  @AnyValidToken()
  codeSystem(@Res() response: Response): void {
    sendFhir(response, 200, brixiaCodeSystem(this.runtime.config.fhir));
  }

  @Get('OperationDefinition/brixia-score')
  @AnyValidToken()
  operationDefinition(@Res() response: Response): void {
    sendFhir(response, 200, brixiaScoreOperationDefinition(this.runtime.config.fhir));
  }

  @Get('Observation/:id')
  @Access('Observation', 'r')
  async observation(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, principal, 'Observation', id);
  }

  @Get('DiagnosticReport/:id')
  @Access('DiagnosticReport', 'r')
  async diagnosticReport(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, principal, 'DiagnosticReport', id);
  }

  @Get('Provenance/:id')
  @Access('Provenance', 'r')
  async provenance(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, principal, 'Provenance', id);
  }

  @Get('Patient/:id')
  @Access('Patient', 'r')
  async patient(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, principal, 'Patient', id);
  }

  @Get('Device/:id')
  @Access('Device', 'r')
  async device(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, principal, 'Device', id);
  }

  private async sendStored(request: Request, response: Response, principal: Principal, type: string, id: string): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readResource(this.runtime.scoring, type, id)));
  }
}
