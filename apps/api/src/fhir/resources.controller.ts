import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { BRIXIA_RESULT_TOPIC_ID, brixiaCodeSystem, brixiaResultTopic, brixiaScoreOperationDefinition, capabilityStatement } from '@brixia/fhir';
import { readResource, readTask } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendFhir, sendFhirRead } from '../infrastructure/fhir-response';
import { SOFTWARE_VERSION } from '../software-version';

/** FHIR reads and searches over what this service publishes. */
@Controller('fhir')
export class FhirResourcesController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('metadata')
  metadata(@Res() response: Response): void {
    sendFhir(response, 200, capabilityStatement(this.runtime.config.fhir, { softwareVersion: SOFTWARE_VERSION, now: this.runtime.startedAt.toISOString() }));
  }

  @Get('Task/:id')
  async task(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, await readTask(this.runtime.scoring, id));
  }

  @Get('CodeSystem/brixia-score')
  codeSystem(@Res() response: Response): void {
    sendFhir(response, 200, brixiaCodeSystem(this.runtime.config.fhir));
  }

  @Get('OperationDefinition/brixia-score')
  operationDefinition(@Res() response: Response): void {
    sendFhir(response, 200, brixiaScoreOperationDefinition(this.runtime.config.fhir));
  }

  /** The SubscriptionTopic definition (R4: a Basic), readable by the canonical's subscribers. */
  @Get(`Basic/${BRIXIA_RESULT_TOPIC_ID}`)
  subscriptionTopic(@Res() response: Response): void {
    sendFhir(response, 200, brixiaResultTopic(this.runtime.config.fhir));
  }

  @Get('Observation/:id')
  async observation(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, 'Observation', id);
  }

  @Get('DiagnosticReport/:id')
  async diagnosticReport(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, 'DiagnosticReport', id);
  }

  @Get('Provenance/:id')
  async provenance(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, 'Provenance', id);
  }

  @Get('Patient/:id')
  async patient(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, 'Patient', id);
  }

  @Get('Device/:id')
  async device(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.sendStored(request, response, 'Device', id);
  }

  private async sendStored(request: Request, response: Response, type: string, id: string): Promise<void> {
    sendFhirRead(request, response, await readResource(this.runtime.scoring, type, id));
  }
}
