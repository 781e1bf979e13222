import { Inject, UseFilters } from '@nestjs/common';
import { Args, Context, ID, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import type { Runtime } from '../runtime';
import { noteAccess } from '../audit/audit-trail';
import { RUNTIME } from '../infrastructure/tokens';
import { GraphqlPassThroughFilter } from './graphql-errors';
import type { GraphqlContext } from './monitoring-loaders';
import { toPatient, toTimeline } from './monitoring.mapper';
import { AlertStateValue, Patient, PatientConnection, PatientFilterInput, Timeline } from './monitoring.types';

/** Patient list and patient pages (monitoring projection + batched timelines). */
@Resolver(() => Patient)
@UseFilters(GraphqlPassThroughFilter)
export class PatientsResolver {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Query(() => PatientConnection, {
    description: 'Monitored patients, highest latest score first, then worsening trend first; cursor-paged.',
    complexity: ({ args, childComplexity }) => Math.max(1, Number(args.first ?? 20)) * childComplexity,
  })
  async patients(
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | undefined,
    @Args('filter', { type: () => PatientFilterInput, nullable: true }) filter: PatientFilterInput | undefined,
    @Context() context: GraphqlContext,
  ): Promise<PatientConnection> {
    const page = await this.runtime.monitoring.service.listPatients({
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
  async patient(@Args('id', { type: () => ID }) id: string, @Context() context: GraphqlContext): Promise<Patient> {
    if (!FHIR_ID_PATTERN.test(id)) throw new AppError('REQUEST.INVALID', 'id must be a FHIR id', { expression: ['id'] });
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
