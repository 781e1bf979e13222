import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { readHistory, readVersion, type ScoringContext } from '@brixia/scoring';
import { SCORING_CONTEXT } from '../infrastructure/tokens';
import { sendFhir, sendFhirRead } from '../infrastructure/fhir-response';
import { queryPairs } from './search.controller';
import type { Principal } from '@brixia/auth';
import { AccessToRouteType, CurrentPrincipal } from '../auth/access.decorator';
import { visibleOrNotFound } from '../auth/compartment';

/** The history filter of a patient-scoped token: its patient. */
function patientOf(principal: Principal): { patient?: string } {
  return principal.patient !== undefined ? { patient: principal.patient } : {};
}

/**
 * vread and history (http://hl7.org/fhir/R4/http.html#vread, #history). Registered before the reads
 * so `[type]/_history` is not taken for an id.
 */
@Controller('fhir')
export class FhirHistoryController {
  constructor(@Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext) {}

  @Get(':type/_history')
  @AccessToRouteType('r')
  async typeHistory(@Param('type') type: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    // A patient-scoped token sees the versions of its own patient's resources only (held in the query: full pages, true totals).
    sendFhir(response, 200, await readHistory(this.scoring, { resourceType: type, parameters: queryPairs(request), ...patientOf(principal) }));
  }

  @Get(':type/:id/_history')
  @AccessToRouteType('r')
  async instanceHistory(@Param('type') type: string, @Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, await readHistory(this.scoring, { resourceType: type, id, parameters: queryPairs(request), ...patientOf(principal) }));
  }

  @Get(':type/:id/_history/:versionId')
  @AccessToRouteType('r')
  async vread(@Param('type') type: string, @Param('id') id: string, @Param('versionId') versionId: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readVersion(this.scoring, type, id, versionId)));
  }
}
