import { Controller, Get, Headers, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { readResource, type ScoringContext } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { visibleOrNotFound } from '../auth/compartment';
import { SCORING_CONTEXT } from '../infrastructure/tokens';
import { sendFhir, sendFhirRead } from '../infrastructure/fhir-response';
import { noteServed } from '../audit/audit-trail';

/**
 * Explanation images: `GET /fhir/Media/:id` and `GET /fhir/Binary/:id`. Per FHIR R4 Binary read, a client asking for a FHIR
 * format gets the resource as JSON; any other Accept (a browser's <img>) gets the raw content.
 */
@Controller('fhir')
export class ExplanationResourcesController {
  constructor(@Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext) {}

  @Get('Media/:id')
  @Access('Media', 'r')
  async media(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    sendFhirRead(request, response, visibleOrNotFound(principal, await readResource(this.scoring, 'Media', id)));
  }

  @Get('Binary/:id')
  @Access('Binary', 'r')
  async binary(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Headers('accept') accept: string | undefined, @Res() response: Response): Promise<void> {
    const binary = visibleOrNotFound(principal, (await readResource(this.scoring, 'Binary', id)) as fhir4.Binary);
    if (/application\/(fhir\+)?json/.test(accept ?? '')) {
      sendFhir(response, 200, binary);
      return;
    }
    if (!binary.data) throw new AppError('RESOURCE.NOT_FOUND', `Binary/${id} has no content`);
    noteServed(response.req, binary);
    // Patient images: never kept by browsers or shared caches.
    response.status(200).type(binary.contentType).setHeader('Cache-Control', 'no-store').send(Buffer.from(binary.data, 'base64'));
  }
}
