import { Controller, Get, Inject, Param, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import type { MonitoringStore, OutboxMessageRecord, OutboxStore } from '@brixia/persistence';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { visibleOrNotFound } from '../auth/compartment';
import { readResource, type ScoringContext } from '@brixia/scoring';
import { MONITORING_STORE, OUTBOX_STORE, SCORING_CONTEXT } from '../infrastructure/tokens';
import { noteAccess } from '../audit/audit-trail';

/** Where one message is: pending (with its next try), delivered or dead, with the EHR's ids. */
function deliveryState(message: OutboxMessageRecord): Record<string, unknown> {
  return {
    outboxId: message.id,
    state: message.state,
    destination: message.destination,
    attempts: message.attempts,
    lastError: message.lastError,
    nextAttemptAt: message.state === 'pending' ? message.nextAttemptAt.toISOString() : null,
    deliveredAt: message.deliveredAt?.toISOString() ?? null,
    remoteIds: message.remoteIds ?? {},
  };
}

/**
 * Publication state of one result: its first publication at the top level, and the
 * publications of its reviews under `revisions` (in the order they are delivered).
 */
@ApiTags('results')
@Controller('api/v1/results')
export class DeliveryController {
  constructor(
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(MONITORING_STORE) private readonly monitoringStore: MonitoringStore,
    @Inject(OUTBOX_STORE) private readonly outbox: OutboxStore,
  ) {}

  @ApiOperation({ summary: 'Where the publication of a result to the EHR stands', description: 'pending (with the next try), delivered (with the EHR ids) or dead; reviews under `revisions`.' })
  @ApiParam({ name: 'observationId', description: 'id of the Brixia Observation' })
  @ApiResponse({ status: 200, description: 'Delivery state (JSON)' })
  @ApiResponse({ status: 404, description: 'No such result or no EHR publication (OperationOutcome)' })
  @Get(':observationId/delivery')
  @Access('Observation', 'r')
  async delivery(@Param('observationId') observationId: string, @CurrentPrincipal() principal: Principal, @Req() request: Request): Promise<Record<string, unknown>> {
    if (principal.patient !== undefined) visibleOrNotFound(principal, await readResource(this.scoring, 'Observation', observationId));
    const messages = FHIR_ID_PATTERN.test(observationId) ? await this.outbox.listByResult(observationId) : [];
    const message = messages.find((candidate) => candidate.kind === 'result');
    if (!message) throw new AppError('RESOURCE.NOT_FOUND', 'This result is not published to an EHR');
    const result = await this.monitoringStore.findResult(observationId);
    noteAccess(request, { patientIds: result ? [result.patientId] : [] });
    const revisions = messages
      .filter((candidate) => candidate.kind === 'revision')
      .sort((a, b) => (a.payload.resultVersion ?? 0) - (b.payload.resultVersion ?? 0))
      .map((revision) => ({ resultVersion: revision.payload.resultVersion ?? null, ...deliveryState(revision) }));
    return { observationId, ...deliveryState(message), revisions };
  }
}
