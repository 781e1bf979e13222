import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { brixiaCodeSystem, brixiaScoreOperationDefinition, capabilityStatement, searchsetBundle } from '@brixia/fhir';
import { readResource, readTask, searchObservations, type ObservationSearch } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import type { Runtime } from '../runtime';
import { Access, AnyValidToken, CurrentPrincipal, PublicRoute } from '../auth/access.decorator';
import { searchPatientFor, visibleOrNotFound } from '../auth/compartment';
import type { ResourceServer } from '../auth/resource-server';
import { smartSecurity } from '../auth/smart-configuration';
import { RESOURCE_SERVER, RUNTIME } from '../infrastructure/tokens';
import { singleValue } from '../infrastructure/single-value';
import { sendFhir } from '../infrastructure/fhir-response';

const SOFTWARE_VERSION = '0.1.0';

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

  @Get('Observation')
  @Access('Observation', 's')
  async search(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    const single = (name: string): string | undefined => singleValue(query, name);
    const selfUrl = `${this.runtime.config.publicBaseUrl}${request.originalUrl}`;
    const scoped = searchPatientFor(principal, single('subject') ?? single('patient'));
    if (scoped.matchesNothing) {
      sendFhir(response, 200, searchsetBundle({ resources: [], total: 0, selfUrl, baseUrl: this.runtime.config.fhir.baseUrl }));
      return;
    }
    const search: ObservationSearch = {
      subject: scoped.patient,
      patient: undefined,
      code: single('code'),
      sort: single('_sort'),
      count: single('_count'),
      offset: single('_offset'),
      date: query['date'] === undefined ? undefined : ([] as unknown[]).concat(query['date']).map(String),
    };
    sendFhir(response, 200, await searchObservations(this.runtime.scoring, search, selfUrl));
  }

  @Get('Task/:id')
  @Access('Task', 'r')
  async task(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, visibleOrNotFound(principal, await readTask(this.runtime.scoring, id)));
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
  async observation(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    await this.sendStored(response, principal, 'Observation', id);
  }

  @Get('DiagnosticReport/:id')
  @Access('DiagnosticReport', 'r')
  async diagnosticReport(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    await this.sendStored(response, principal, 'DiagnosticReport', id);
  }

  @Get('Provenance/:id')
  @Access('Provenance', 'r')
  async provenance(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    await this.sendStored(response, principal, 'Provenance', id);
  }

  @Get('Device/:id')
  @Access('Device', 'r')
  async device(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    await this.sendStored(response, principal, 'Device', id);
  }

  private async sendStored(response: Response, principal: Principal, type: string, id: string): Promise<void> {
    sendFhir(response, 200, visibleOrNotFound(principal, await readResource(this.runtime.scoring, type, id)));
  }
}
