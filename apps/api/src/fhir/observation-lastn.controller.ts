import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import type { Principal } from '@brixia/auth';
import { searchsetBundle } from '@brixia/fhir';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { searchPatientFor } from '../auth/compartment';
import { APP_CONFIG, MONITORING_SERVICE } from '../infrastructure/tokens';
import { singleValue } from '../infrastructure/single-value';
import { sendFhir } from '../infrastructure/fhir-response';
import { noteAccess } from '../audit/audit-trail';
import type { AppConfig } from '../config';
import type { MonitoringService } from '@brixia/monitoring';

interface LastnQuery {
  readonly patient?: string;
  readonly code?: string;
  readonly category?: string;
  readonly max?: string;
}

/** The value of a Parameters.parameter as text (valueString/Code/Reference/Integer/PositiveInt). */
function parameterText(parameter: Record<string, unknown>): string | undefined {
  for (const key of ['valueString', 'valueCode', 'valueUri', 'valueInteger', 'valuePositiveInt']) {
    const value = parameter[key];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  const reference = parameter['valueReference'];
  if (typeof reference === 'object' && reference !== null && typeof (reference as { reference?: unknown }).reference === 'string') return (reference as { reference: string }).reference;
  return undefined;
}

/** `POST $lastn` takes the search parameters as a Parameters resource or a form (http://hl7.org/fhir/R4/operations.html#executing). */
function postedQuery(body: unknown): LastnQuery {
  if (typeof body === 'string') {
    const form = new URLSearchParams(body);
    return { patient: form.get('patient') ?? form.get('subject') ?? undefined, code: form.get('code') ?? undefined, category: form.get('category') ?? undefined, max: form.get('max') ?? undefined };
  }
  const resource = body as { resourceType?: unknown; parameter?: unknown } | null;
  if (!resource || resource.resourceType !== 'Parameters' || (resource.parameter !== undefined && !Array.isArray(resource.parameter))) {
    throw new AppError('REQUEST.INVALID', 'POST $lastn takes a Parameters resource or a form body', { expression: ['Parameters'] });
  }
  const values = new Map<string, string>();
  for (const parameter of (resource.parameter ?? []) as unknown[]) {
    if (typeof parameter !== 'object' || parameter === null) continue;
    const name = (parameter as { name?: unknown }).name;
    const value = parameterText(parameter as Record<string, unknown>);
    if (typeof name === 'string' && value !== undefined) values.set(name, value);
  }
  return { patient: values.get('patient') ?? values.get('subject'), code: values.get('code'), category: values.get('category'), max: values.get('max') };
}

/**
 * `Observation/$lastn` (HL7 OperationDefinition Observation-lastn): the newest Brixia results of a
 * patient, by GET (search parameters) or POST (Parameters or form). Registered before the
 * Observation read so `$lastn` is not taken for an id.
 */
@Controller('fhir')
export class ObservationLastnController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MONITORING_SERVICE) private readonly monitoring: MonitoringService,
  ) {}

  @Get('Observation/\\$lastn')
  @Access('Observation', 's')
  async lastn(@Query() query: Record<string, unknown>, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    const single = (name: string): string | undefined => singleValue(query, name);
    await this.answer({ patient: single('patient') ?? single('subject'), code: single('code'), category: single('category'), max: single('max') }, principal, request, response);
  }

  @Post('Observation/\\$lastn')
  @HttpCode(200)
  @Access('Observation', 's')
  async lastnByPost(@Body() body: unknown, @CurrentPrincipal() principal: Principal, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.answer(postedQuery(body), principal, request, response);
  }

  private async answer(query: LastnQuery, principal: Principal, request: Request, response: Response): Promise<void> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (typeof value === 'string') params.set(name, value);
    const selfUrl = `${this.config.fhir.baseUrl.replace(/\/+$/, '')}/Observation/$lastn?${params.toString()}`;
    // A patient-scoped token sees its own patient only: another patient's $lastn is an empty searchset.
    const scoped = searchPatientFor(principal, query.patient);
    if (scoped.matchesNothing) {
      sendFhir(response, 200, searchsetBundle({ resources: [], total: 0, selfUrl, baseUrl: this.config.fhir.baseUrl }));
      return;
    }
    const bundle = await this.monitoring.lastn({ ...query, patient: scoped.patient }, selfUrl);
    // The audited patient id, whether the search named ours (`Patient/<id>`) or an EHR's (absolute URL).
    const patientId = (scoped.patient ?? '').replace(/^Patient\//, '').replace(/^https?:\/\/.+\/Patient\//, '');
    if (/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) noteAccess(request, { patientIds: [patientId] });
    sendFhir(response, 200, bundle);
  }
}
