import { Inject, UseFilters } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import type { Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import { noteAccess } from '../audit/audit-trail';
import { MONITORING_SERVICE } from '../infrastructure/tokens';
import { GraphqlPassThroughFilter } from './graphql-errors';
import type { GraphqlContext } from './monitoring-loaders';
import { toPatient, toTimeline } from './monitoring.mapper';
import { AlertStateValue, Patient, PatientConnection, PatientFilterInput, Timeline } from './monitoring.types';
import type { MonitoringService } from '@brixia/monitoring';

/** Patient list and patient pages (monitoring projection + batched timelines). */
@Resolver(() => Patient)
@UseFilters(GraphqlPassThroughFilter)
export class PatientsResolver {
  constructor(@Inject(MONITORING_SERVICE) private readonly monitoring: MonitoringService) {}

  @Query(() => PatientConnection, {
    description: 'Monitored patients, highest latest score first, then worsening trend first; cursor-paged.',
    complexity: ({ args, childComplexity }) => Math.max(1, Number(args.first ?? 20)) * childComplexity,
  })
  @Access('Observation', 's')
  async patients(
    @CurrentPrincipal() principal: Principal,
    @Context() context: GraphqlContext,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | undefined,
    @Args('filter', { type: () => PatientFilterInput, nullable: true }) filter: PatientFilterInput | undefined,
  ): Promise<PatientConnection> {
    // A patient-scoped token's list is its own patient (when monitored), nobody else.
    if (principal.patient !== undefined) {
      const own = await context.loaders.summary.load(principal.patient);
      noteAccess(context.req, { patientIds: own ? [own.patientId] : [] });
      return { edges: own ? [{ cursor: own.patientId, node: toPatient(own) }] : [], pageInfo: { hasNextPage: false, endCursor: own ? own.patientId : null } };
    }
    const page = await this.monitoring.listPatients({
      first,
      after: after ?? undefined,
      filter: {
        trends: filter?.trends,
        minLatestScore: filter?.minLatestScore ?? undefined,
        maxLatestScore: filter?.maxLatestScore ?? undefined,
        hasActiveAlerts: filter?.alertState === undefined || filter.alertState === null ? undefined : filter.alertState === AlertStateValue.ACTIVE,
        patientIdPrefix: filter?.patientIdPrefix || undefined,
      },
    });
    noteAccess(context.req, { patientIds: page.rows.map((row) => row.patientId) });
    return {
      edges: page.rows.map((row, index) => ({ cursor: page.cursors[index], node: toPatient(row) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  @Query(() => Patient, { description: 'One monitored patient; RESOURCE.NOT_FOUND when the patient has no Brixia score.', complexity: ({ childComplexity }) => 100 + childComplexity })
  @Access('Observation', 'r')
  async patient(@CurrentPrincipal() principal: Principal, @Args('id', { type: () => ID }) id: string, @Context() context: GraphqlContext): Promise<Patient> {
    if (!FHIR_ID_PATTERN.test(id)) throw new AppError('REQUEST.INVALID', 'id must be a FHIR id', { expression: ['id'] });
    assertSeesPatient(principal, id, `Patient/${id}`);
    const row = await context.loaders.summary.load(id);
    noteAccess(context.req, { patientIds: [id] });
    if (!row) throw new AppError('RESOURCE.NOT_FOUND', `No Brixia scores for Patient/${id}`);
    return toPatient(row);
  }

  @ResolveField(() => Timeline, { complexity: 20 })
  async timeline(@Parent() patient: Patient, @Context() context: GraphqlContext): Promise<Timeline> {
    return toTimeline(await context.loaders.monitoring.load(patient.id));
  }
}
