import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppError } from '@brixia/common';
import { searchAuditEvents } from '@brixia/scoring';
import { APP_CONFIG, AUDIT_TRAIL } from '../infrastructure/tokens';
import { singleValue } from '../infrastructure/single-value';
import { sendFhir } from '../infrastructure/fhir-response';
import { grantsAuditRead, principalOf } from './principal';
import { AnyValidToken } from '../auth/access.decorator';
import type { AppConfig } from '../config';
import type { AuditTrail } from '../audit/audit-trail';

/** The audit trail as FHIR: `GET /fhir/AuditEvent?patient=&agent=&entity=&date=` and `GET /fhir/AuditEvent/:id`, for audit scopes only. */
// The guard only asks for a valid token: reading the audit trail needs an explicitly named AuditEvent
// scope (no wildcard), checked by requireAuditScope below.
@AnyValidToken()
@Controller('fhir/AuditEvent')
export class AuditEventController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
  ) {}

  @Get()
  async search(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    requireAuditScope(request, 's');
    const single = (name: string): string | undefined => singleValue(query, name);
    const bundle = await searchAuditEvents(
      { audit: this.audit.store, fhir: this.config.fhir },
      {
        patient: single('patient'),
        agent: single('agent'),
        entity: single('entity'),
        date: query['date'] === undefined ? undefined : ([] as unknown[]).concat(query['date']).map(String),
        count: single('_count'),
        offset: single('_offset'),
      },
      `${this.config.publicBaseUrl}${request.originalUrl}`,
    );
    sendFhir(response, 200, bundle);
  }

  @Get(':id')
  async read(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    requireAuditScope(request, 'r');
    const event = /^[0-9a-f-]{36}$/i.test(id) ? await this.audit.store.find(id) : null;
    if (!event) throw new AppError('RESOURCE.NOT_FOUND', `AuditEvent/${id} is not known`);
    sendFhir(response, 200, event);
  }
}

function requireAuditScope(request: Request, need: 'r' | 's'): void {
  const principal = principalOf(request);
  if (!principal) throw new AppError('AUTH.TOKEN_INVALID', 'A bearer token is required');
  if (principal.patient || !grantsAuditRead(principal.scopes, need)) throw new AppError('AUTH.SCOPE_INSUFFICIENT', 'Reading the audit trail needs an AuditEvent read scope (system/ or user/)');
}
