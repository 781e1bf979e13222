import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { singleValue } from '../infrastructure/single-value';
import { sendFhir } from '../infrastructure/fhir-response';
import { noteAccess } from '../audit/audit-trail';

/**
 * `GET /fhir/Observation/$lastn` (HL7 OperationDefinition Observation-lastn): the newest Brixia
 * results of a patient. Registered before the Observation read so `$lastn` is not taken for an id.
 */
@Controller('fhir')
export class ObservationLastnController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('Observation/\\$lastn')
  async lastn(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const single = (name: string): string | undefined => singleValue(query, name);
    const selfUrl = `${this.runtime.config.publicBaseUrl}${request.originalUrl}`;
    const patient = single('patient') ?? single('subject');
    const bundle = await this.runtime.monitoring.service.lastn({ patient, code: single('code'), category: single('category'), max: single('max') }, selfUrl);
    const patientId = (patient ?? '').replace(/^Patient\//, '');
    if (/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) noteAccess(request, { patientIds: [patientId] });
    sendFhir(response, 200, bundle);
  }
}
