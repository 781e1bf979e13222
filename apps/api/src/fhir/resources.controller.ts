import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { brixiaCodeSystem, brixiaScoreOperationDefinition, capabilityStatement } from '@brixia/fhir';
import { readResource, readTask } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendFhir } from '../infrastructure/fhir-response';

const SOFTWARE_VERSION = '0.1.0';

/** FHIR reads and searches over what this service publishes. */
@Controller('fhir')
export class FhirResourcesController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('metadata')
  metadata(@Res() response: Response): void {
    sendFhir(response, 200, capabilityStatement(this.runtime.config.fhir, { softwareVersion: SOFTWARE_VERSION, now: this.runtime.startedAt.toISOString() }));
  }

  @Get('Task/:id')
  async task(@Param('id') id: string, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, await readTask(this.runtime.scoring, id));
  }

  @Get('CodeSystem/brixia-score')
  codeSystem(@Res() response: Response): void {
    sendFhir(response, 200, brixiaCodeSystem(this.runtime.config.fhir));
  }

  @Get('OperationDefinition/brixia-score')
  operationDefinition(@Res() response: Response): void {
    sendFhir(response, 200, brixiaScoreOperationDefinition(this.runtime.config.fhir));
  }

  @Get('Observation/:id')
  async observation(@Param('id') id: string, @Res() response: Response): Promise<void> {
    await this.sendStored(response, 'Observation', id);
  }

  @Get('DiagnosticReport/:id')
  async diagnosticReport(@Param('id') id: string, @Res() response: Response): Promise<void> {
    await this.sendStored(response, 'DiagnosticReport', id);
  }

  @Get('Provenance/:id')
  async provenance(@Param('id') id: string, @Res() response: Response): Promise<void> {
    await this.sendStored(response, 'Provenance', id);
  }

  @Get('Device/:id')
  async device(@Param('id') id: string, @Res() response: Response): Promise<void> {
    await this.sendStored(response, 'Device', id);
  }

  private async sendStored(response: Response, type: string, id: string): Promise<void> {
    sendFhir(response, 200, await readResource(this.runtime.scoring, type, id));
  }
}
