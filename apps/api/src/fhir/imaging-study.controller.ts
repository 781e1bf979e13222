import { Body, Controller, Get, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parseBrixiaScoreParameters } from '@brixia/fhir';
import { readImagingStudy, scoreStudy } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertNotPatientScoped, visibleOrNotFound } from '../auth/compartment';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendFhirRead, wantsAsync } from '../infrastructure/fhir-response';
import { respondToScoringRequest, scoringRequestAudit } from './scoring-response';
import { RateLimited } from '../infrastructure/rate-limit.interceptor';

/** ImagingStudy reads and the `$brixia-score` operation (type and instance level). */
@Controller('fhir/ImagingStudy')
export class ImagingStudyController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Post('$brixia-score')
  @RateLimited('scoring')
  @Access('Observation', 'c')
  async scoreByParameters(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Headers('x-request-id') requestId: string, @Req() http: Request, @Res() response: Response): Promise<void> {
    // The study's patient is known only once the EHR answered: a patient-scoped token cannot be held to it here.
    assertNotPatientScoped(principal, 'Scoring a study by reference');
    const request = parseBrixiaScoreParameters(body);
    const recorded = await scoreStudy(this.runtime.scoring, { request }, requestId, scoringRequestAudit(this.runtime, http));
    this.runtime.audit.committed(http);
    await respondToScoringRequest(this.runtime, response, recorded, wantsAsync(prefer));
  }

  @Post(':id/$brixia-score')
  @RateLimited('scoring')
  @Access('Observation', 'c')
  async scoreById(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Headers('x-request-id') requestId: string, @Req() http: Request, @Res() response: Response): Promise<void> {
    if (principal.patient !== undefined) visibleOrNotFound(principal, await readImagingStudy(this.runtime.scoring, id));
    const recorded = await scoreStudy(this.runtime.scoring, { studyId: id }, requestId, scoringRequestAudit(this.runtime, http));
    this.runtime.audit.committed(http);
    await respondToScoringRequest(this.runtime, response, recorded, wantsAsync(prefer));
  }

  @Get(':id')
  @Access('ImagingStudy', 'r')
  async read(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readImagingStudy(this.runtime.scoring, id)));
  }
}
