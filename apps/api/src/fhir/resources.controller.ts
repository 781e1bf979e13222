import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BRIXIA_RESULT_TOPIC_ID, brixiaCodeSystem, brixiaResultTopic, brixiaScoreOperationDefinition, capabilityStatement } from '@brixia/fhir';
import { readResource, readTask, type ScoringContext } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, AnyValidToken, CurrentPrincipal, PublicRoute } from '../auth/access.decorator';
import { visibleOrNotFound } from '../auth/compartment';
import type { ResourceServer } from '../auth/resource-server';
import { smartSecurity } from '../auth/smart-configuration';
import { APP_CONFIG, RESOURCE_SERVER, SCORING_CONTEXT, STARTED_AT } from '../infrastructure/tokens';
import { sendFhir, sendFhirRead } from '../infrastructure/fhir-response';
import { SOFTWARE_VERSION } from '../software-version';
import type { AppConfig } from '../config';

/** FHIR reads and searches over what this service publishes. */
@Controller('fhir')
export class FhirResourcesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(STARTED_AT) private readonly startedAt: Date,
    @Inject(RESOURCE_SERVER) private readonly resourceServer: ResourceServer,
  ) {}

  @Get('metadata')
  @PublicRoute()
  metadata(@Res() response: Response): void {
    const statement = capabilityStatement(this.config.fhir, { softwareVersion: SOFTWARE_VERSION, now: this.startedAt.toISOString() });
    const security = smartSecurity(this.resourceServer);
    sendFhir(response, 200, security ? { ...statement, rest: statement.rest?.map((rest) => ({ ...rest, security })) } : statement);
  }

  @Get('Task/:id')
  @Access('Task', 'r')
  async task(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readTask(this.scoring, id)));
  }

  @Get('CodeSystem/brixia-score')
  @AnyValidToken()
  codeSystem(@Res() response: Response): void {
    sendFhir(response, 200, brixiaCodeSystem(this.config.fhir));
  }

  @Get('OperationDefinition/brixia-score')
  @AnyValidToken()
  operationDefinition(@Res() response: Response): void {
    sendFhir(response, 200, brixiaScoreOperationDefinition(this.config.fhir));
  }

  /** The SubscriptionTopic definition (R4: a Basic), readable by the canonical's subscribers. */
  @Get(`Basic/${BRIXIA_RESULT_TOPIC_ID}`)
  @AnyValidToken()
  subscriptionTopic(@Res() response: Response): void {
    sendFhir(response, 200, brixiaResultTopic(this.config.fhir));
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
    sendFhirRead(request, response, visibleOrNotFound(principal, await readResource(this.scoring, type, id)));
  }
}
