import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { allowedMethods, searchDefinition, wantsStrictHandling } from '@brixia/fhir';
import { searchResources, type ScoringContext } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { AccessToRouteType, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import { APP_CONFIG, SCORING_CONTEXT } from '../infrastructure/tokens';
import { sendFhir } from '../infrastructure/fhir-response';
import { refuseMethod } from './method-fallback.controller';
import type { AppConfig } from '../config';

/** The query string as name/value pairs, repeats kept (Express's parser turns repeats into arrays and `a[b]` into objects). */
export function queryPairs(request: Request): Array<[string, string]> {
  return [...new URL(request.originalUrl, 'http://localhost').searchParams.entries()];
}

/**
 * Type-level search, `GET [base]/[type]?…` and `POST [base]/[type]/_search` (form body), for every
 * type of the search registry. Registered after the specific routes so it never shadows them.
 */
@Controller('fhir')
export class FhirSearchController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
  ) {}

  /** The type when it is searchable; a served type that is not is a 405, anything else a 404. */
  private searchableType(type: string, request: Request, response: Response): string {
    if (searchDefinition(type)) return type;
    const allowed = allowedMethods(this.config.fhir, { kind: 'type', type });
    if (allowed) refuseMethod(request, response, allowed);
    throw new AppError('RESOURCE.NOT_FOUND', `${type} is not served here`);
  }

  /**
   * Runs the search within the principal's compartment: a patient-scoped token's patient is passed to
   * the search, which holds matches, includes, pages and total to it (a search naming another patient
   * finds nothing, as for a patient with no data).
   */
  private async searchAs(principal: Principal, type: string, parameters: Array<[string, string]>, prefer: string | undefined, response: Response): Promise<void> {
    const bundle = await searchResources(this.scoring, { resourceType: type, parameters, strict: wantsStrictHandling(prefer), ...(principal.patient !== undefined ? { patient: principal.patient } : {}) });
    sendFhir(response, 200, bundle);
  }

  @Get(':type')
  @AccessToRouteType('s')
  async search(@Param('type') type: string, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.searchAs(principal, this.searchableType(type, request, response), queryPairs(request), prefer, response);
  }

  /** Patient compartment search, `GET [base]/Patient/[id]/[type]` (http://hl7.org/fhir/R4/compartmentdefinition-patient.html), for the types searchable by patient. */
  @Get('Patient/:id/:type')
  @AccessToRouteType('s')
  async compartment(@Param('id') id: string, @Param('type') type: string, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const definition = searchDefinition(type);
    if (!definition?.params.some((param) => param.name === 'patient')) throw new AppError('RESOURCE.NOT_FOUND', `${type} is not in the Patient compartment here`);
    assertSeesPatient(principal, id, `Patient/${id}`);
    await this.searchAs(principal, type, [['patient', `Patient/${id}`], ...queryPairs(request)], prefer, response);
  }

  @Post(':type/_search')
  @HttpCode(200)
  @AccessToRouteType('s')
  async searchByPost(@Param('type') type: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Req() request: Request, @Res() response: Response): Promise<void> {
    const contentType = String(request.headers['content-type'] ?? '');
    if (!/^application\/x-www-form-urlencoded/i.test(contentType)) {
      throw new AppError('REQUEST.UNSUPPORTED_MEDIA_TYPE', 'POST _search takes an application/x-www-form-urlencoded body');
    }
    // Parameters may come in the URL and in the body; both count (http://hl7.org/fhir/R4/search.html#Introduction).
    const form = typeof body === 'string' ? [...new URLSearchParams(body).entries()] : [];
    await this.searchAs(principal, this.searchableType(type, request, response), [...queryPairs(request), ...form], prefer, response);
  }
}
