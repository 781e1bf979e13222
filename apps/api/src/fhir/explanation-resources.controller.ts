import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '@brixia/common';
import { readResource } from '@brixia/scoring';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { visibleOrNotFound } from '../auth/compartment';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { sendFhir } from '../infrastructure/fhir-response';

/**
 * Explanation images: `GET /fhir/Media/:id` and `GET /fhir/Binary/:id`. Per FHIR R4 Binary read, a client asking for a FHIR
 * format gets the resource as JSON; any other Accept (a browser's <img>) gets the raw content.
 */
@Controller('fhir')
export class ExplanationResourcesController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('Media/:id')
  @Access('Media', 'r')
  async media(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() response: Response): Promise<void> {
    sendFhir(response, 200, visibleOrNotFound(principal, await readResource(this.runtime.scoring, 'Media', id)));
  }

  @Get('Binary/:id')
  @Access('Binary', 'r')
  async binary(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Headers('accept') accept: string | undefined, @Res() response: Response): Promise<void> {
    const binary = visibleOrNotFound(principal, (await readResource(this.runtime.scoring, 'Binary', id)) as fhir4.Binary);
    if (/application\/(fhir\+)?json/.test(accept ?? '')) {
      sendFhir(response, 200, binary);
      return;
    }
    if (!binary.data) throw new AppError('RESOURCE.NOT_FOUND', `Binary/${id} has no content`);
    response.status(200).type(binary.contentType).setHeader('Cache-Control', 'private, max-age=86400, immutable').send(Buffer.from(binary.data, 'base64'));
  }
}
