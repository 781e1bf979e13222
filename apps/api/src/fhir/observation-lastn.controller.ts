import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { searchPatientFor } from '../auth/compartment';
import { searchsetBundle } from '@brixia/fhir';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { singleValue } from '../infrastructure/single-value';
import { sendFhir } from '../infrastructure/fhir-response';

/**
 * `GET /fhir/Observation/$lastn` (HL7 OperationDefinition Observation-lastn): the newest Brixia
 * results of a patient. Registered before the Observation read so `$lastn` is not taken for an id.
 */
@Controller('fhir')
export class ObservationLastnController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get('Observation/\\$lastn')
  @Access('Observation', 's')
  async lastn(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    const single = (name: string): string | undefined => singleValue(query, name);
    const selfUrl = `${this.runtime.config.publicBaseUrl}${request.originalUrl}`;
    const scoped = searchPatientFor(principal, single('patient') ?? single('subject'));
    if (scoped.matchesNothing) {
      sendFhir(response, 200, searchsetBundle({ resources: [], total: 0, selfUrl, baseUrl: this.runtime.config.fhir.baseUrl }));
      return;
    }
    const bundle = await this.runtime.monitoring.service.lastn(
      { patient: scoped.patient, code: single('code'), category: single('category'), max: single('max') },
      selfUrl,
    );
    sendFhir(response, 200, bundle);
  }
}
