import { Inject, UseFilters } from '@nestjs/common';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import { GraphqlPassThroughFilter } from './graphql-errors';
import { Args, Context, ID, Resolver, Subscription } from '@nestjs/graphql';
import { noteSubscribed } from '../audit/subscription-audit';
import type { GraphqlContext } from './monitoring-loaders';
import { MONITORING_SERVICE, SCORING_CONTEXT } from '../infrastructure/tokens';
import { eventIterator } from './event-iterator';
import { toAlert } from './monitoring.mapper';
import { Alert, AssessmentCompletedEvent, OcclusionProgressEvent } from './monitoring.types';
import type { ScoringContext } from '@brixia/scoring';
import type { MonitoringService } from '@brixia/monitoring';

/** Live updates over graphql-ws: completed assessments and raised alerts, optionally per patient. */
/** A patient-scoped subscriber hears only its own patient. */
function subscribedPatient(principal: Principal, patientId: string | undefined): string | undefined {
  if (principal.patient === undefined) return patientId ?? undefined;
  if (patientId) assertSeesPatient(principal, patientId, `Patient/${patientId}`);
  return principal.patient;
}

@Resolver()
@UseFilters(GraphqlPassThroughFilter)
export class MonitoringSubscriptionsResolver {
  constructor(
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(MONITORING_SERVICE) private readonly monitoring: MonitoringService,
  ) {}

  @Subscription(() => AssessmentCompletedEvent, { resolve: (value: AssessmentCompletedEvent) => value })
  @Access('Observation', 's')
  assessmentCompleted(
    @CurrentPrincipal() principal: Principal,
    @Args('patientId', { type: () => ID, nullable: true }) requested: string | undefined,
    @Context() context: GraphqlContext,
  ): AsyncIterableIterator<AssessmentCompletedEvent> {
    const patientId = subscribedPatient(principal, requested);
    noteSubscribed(context, { patientIds: [patientId] });
    return eventIterator(this.monitoring.events, (event) =>
      event.type === 'assessment-completed' && (!patientId || event.patientId === patientId)
        ? { patientId: event.patientId, observationId: event.observationId, taskId: event.taskId, global: event.global, acquiredAt: event.acquiredAt }
        : undefined,
    );
  }

  @Subscription(() => OcclusionProgressEvent, { resolve: (value: OcclusionProgressEvent) => value, description: 'Progress of explainByOcclusion for one Task.' })
  @Access('Media', 'r')
  async occlusionProgress(
    @CurrentPrincipal() principal: Principal,
    @Args('taskId', { type: () => ID }) taskId: string,
    @Context() context: GraphqlContext,
  ): Promise<AsyncIterableIterator<OcclusionProgressEvent>> {
    // Progress names no patient, but a patient-scoped token follows only its own patient's Tasks, and the
    // subscription's AuditEvent names the Task's patient.
    const patientId = (await this.scoring.store.findTask(taskId))?.patientId;
    if (principal.patient !== undefined) assertSeesPatient(principal, patientId, `Task/${taskId}`);
    noteSubscribed(context, { patientIds: [patientId], entities: [`Task/${taskId}`] });
    return eventIterator(this.monitoring.events, (event) =>
      event.type === 'occlusion-progress' && event.taskId === taskId ? { taskId: event.taskId, done: event.done, total: event.total } : undefined,
    );
  }

  @Subscription(() => Alert, { resolve: (value: Alert) => value })
  @Access('Observation', 's')
  alertRaised(
    @CurrentPrincipal() principal: Principal,
    @Args('patientId', { type: () => ID, nullable: true }) requested: string | undefined,
    @Context() context: GraphqlContext,
  ): AsyncIterableIterator<Alert> {
    const patientId = subscribedPatient(principal, requested);
    noteSubscribed(context, { patientIds: [patientId] });
    return eventIterator(this.monitoring.events, (event) =>
      event.type === 'alert-raised' && (!patientId || event.alert.patientId === patientId) ? toAlert(event.alert) : undefined,
    );
  }
}
