import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { brixiaCodeSystem, brixiaScoreOperationDefinition, capabilityStatement, FHIR_ID_PATTERN } from '@brixia/fhir';
import { readResource, readTask, searchObservations, type ObservationSearch } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { singleValue } from '../infrastructure/single-value';
import { sendFhir } from '../infrastructure/fhir-response';
import { SOFTWARE_VERSION } from '../software-version';
import { noteAccess } from '../audit/audit-trail';

/** FHIR reads and searches over what this service publishes. */
@Controller('fhir')
export class FhirResourcesController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('metadata')
  metadata(@Res() response: Response): void {
    sendFhir(response, 200, capabilityStatement(this.runtime.config.fhir, { softwareVersion: SOFTWARE_VERSION, now: this.runtime.startedAt.toISOString() }));
  }

  @Get('Observation')
  async search(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const single = (name: string): string | undefined => singleValue(query, name);
    const search: ObservationSearch = {
      subject: single('subject'),
      patient: single('patient'),
      code: single('code'),
      sort: single('_sort'),
      count: single('_count'),
      offset: single('_offset'),
      date: query['date'] === undefined ? undefined : ([] as unknown[]).concat(query['date']).map(String),
    };
    const selfUrl = `${this.runtime.config.publicBaseUrl}${request.originalUrl}`;
    const bundle = await searchObservations(this.runtime.scoring, search, selfUrl);
    // A patient query names its patient even when nothing matched (BALP Patient Query).
    const patientId = (search.subject ?? search.patient ?? '').replace(/^Patient\//, '');
    if (FHIR_ID_PATTERN.test(patientId)) noteAccess(request, { patientIds: [patientId] });
    sendFhir(response, 200, bundle);
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
