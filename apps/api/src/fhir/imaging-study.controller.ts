import { Body, Controller, Get, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parseBrixiaScoreParameters } from '@brixia/fhir';
import { readImagingStudy, scoreStudy, type ScoringContext } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertNotPatientScoped, visibleOrNotFound } from '../auth/compartment';
import { APP_CONFIG, AUDIT_TRAIL, SCORING_CONTEXT } from '../infrastructure/tokens';
import { sendFhirRead, wantsAsync } from '../infrastructure/fhir-response';
import { respondToScoringRequest, scoringRequestAudit } from './scoring-response';
import { RateLimited } from '../infrastructure/rate-limit.interceptor';
import type { AppConfig } from '../config';
import type { AuditTrail } from '../audit/audit-trail';

/** ImagingStudy reads and the `$brixia-score` operation (type and instance level). */
@Controller('fhir/ImagingStudy')
export class ImagingStudyController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
  ) {}

  @Post('$brixia-score')
  @RateLimited('scoring')
  @Access('Observation', 'c')
  async scoreByParameters(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Headers('x-request-id') requestId: string, @Req() http: Request, @Res() response: Response): Promise<void> {
    // The study's patient is known only once the EHR answered: a patient-scoped token cannot be held to it here.
    assertNotPatientScoped(principal, 'Scoring a study by reference');
    const request = parseBrixiaScoreParameters(body);
    const recorded = await scoreStudy(this.scoring, { request }, requestId, scoringRequestAudit(this.audit, http));
    this.audit.committed(http);
    await respondToScoringRequest(this.scoring, this.config, response, recorded, wantsAsync(prefer));
  }

  @Post(':id/$brixia-score')
  @RateLimited('scoring')
  @Access('Observation', 'c')
  async scoreById(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Headers('prefer') prefer: string | undefined, @Headers('x-request-id') requestId: string, @Req() http: Request, @Res() response: Response): Promise<void> {
    if (principal.patient !== undefined) visibleOrNotFound(principal, await readImagingStudy(this.scoring, id));
    const recorded = await scoreStudy(this.scoring, { studyId: id }, requestId, scoringRequestAudit(this.audit, http));
    this.audit.committed(http);
    await respondToScoringRequest(this.scoring, this.config, response, recorded, wantsAsync(prefer));
  }

  @Get(':id')
  @Access('ImagingStudy', 'r')
  async read(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readImagingStudy(this.scoring, id)));
  }
}
