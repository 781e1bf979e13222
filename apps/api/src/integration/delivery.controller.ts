import { Controller, Get, Inject, Param } from '@nestjs/common';
import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import { OutboxStore } from '@brixia/persistence';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';

/** Publication state of one result (issue 3): pending, delivered or dead, with the EHR's ids. */
@Controller('api/v1/results')
export class DeliveryController {
  private readonly outbox: OutboxStore;

  constructor(@Inject(RUNTIME) runtime: Runtime) {
    this.outbox = new OutboxStore(runtime.database.dataSource);
  }

  @Get(':observationId/delivery')
  async delivery(@Param('observationId') observationId: string): Promise<Record<string, unknown>> {
    const message = FHIR_ID_PATTERN.test(observationId) ? await this.outbox.findByResult(observationId) : null;
    if (!message) throw new AppError('RESOURCE.NOT_FOUND', 'This result is not published to an EHR');
    return {
      observationId,
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
}
