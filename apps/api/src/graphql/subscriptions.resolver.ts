import { Inject } from '@nestjs/common';
import { Args, ID, Resolver, Subscription } from '@nestjs/graphql';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { eventIterator } from './event-iterator';
import { toAlert } from './monitoring.mapper';
import { Alert, AssessmentCompletedEvent, OcclusionProgressEvent } from './monitoring.types';

/** Live updates over graphql-ws: completed assessments and raised alerts, optionally per patient. */
@Resolver()
export class MonitoringSubscriptionsResolver {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Subscription(() => AssessmentCompletedEvent, { resolve: (value: AssessmentCompletedEvent) => value })
  assessmentCompleted(@Args('patientId', { type: () => ID, nullable: true }) patientId: string | undefined): AsyncIterableIterator<AssessmentCompletedEvent> {
    return eventIterator(this.runtime.monitoring.service.events, (event) =>
      event.type === 'assessment-completed' && (!patientId || event.patientId === patientId)
        ? { patientId: event.patientId, observationId: event.observationId, taskId: event.taskId, global: event.global, acquiredAt: event.acquiredAt }
        : undefined,
    );
  }

  @Subscription(() => OcclusionProgressEvent, { resolve: (value: OcclusionProgressEvent) => value, description: 'Progress of explainByOcclusion for one Task.' })
  occlusionProgress(@Args('taskId', { type: () => ID }) taskId: string): AsyncIterableIterator<OcclusionProgressEvent> {
    return eventIterator(this.runtime.monitoring.service.events, (event) =>
      event.type === 'occlusion-progress' && event.taskId === taskId ? { taskId: event.taskId, done: event.done, total: event.total } : undefined,
    );
  }

  @Subscription(() => Alert, { resolve: (value: Alert) => value })
  alertRaised(@Args('patientId', { type: () => ID, nullable: true }) patientId: string | undefined): AsyncIterableIterator<Alert> {
    return eventIterator(this.runtime.monitoring.service.events, (event) =>
      event.type === 'alert-raised' && (!patientId || event.alert.patientId === patientId) ? toAlert(event.alert) : undefined,
    );
  }
}
