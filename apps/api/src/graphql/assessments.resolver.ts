import { Inject, UseFilters } from '@nestjs/common';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@brixia/common';
import { readAssessment, type MonitoringService } from '@brixia/monitoring';
import { explainByOcclusion, scoreStudy, taskResource, type ScoringContext } from '@brixia/scoring';
import { practitionerIdOf, type Principal } from '@brixia/auth';
import { Access, CurrentPrincipal } from '../auth/access.decorator';
import { assertSeesPatient } from '../auth/compartment';
import { APP_CONFIG, AUDIT_TRAIL, MONITORING_SERVICE, MONITORING_STORE, SCORE_MODEL, SCORING_CONTEXT } from '../infrastructure/tokens';
import { GraphqlPassThroughFilter } from './graphql-errors';
import type { GraphqlContext } from './monitoring-loaders';
import { noteAccess, type AuditTrail } from '../audit/audit-trail';
import { scoringRequestAudit } from '../fhir/scoring-response';
import { RateLimited } from '../infrastructure/rate-limit.interceptor';
import { toAssessment } from './monitoring.mapper';
import { Assessment, AssessmentRequest, OcclusionExplanation, ReviewAssessmentInput, ReviewResult } from './monitoring.types';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import type { AppConfig } from '../config';
import type { MonitoringStore } from '@brixia/persistence';
import type { ScoreModel } from '@brixia/inference';

const ASSESSMENT_READ_COST = 500;

/** Assessments: read one, request one, review one. */
@Resolver(() => Assessment)
@UseFilters(GraphqlPassThroughFilter)
export class AssessmentsResolver {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SCORING_CONTEXT) private readonly scoring: ScoringContext,
    @Inject(MONITORING_SERVICE) private readonly monitoring: MonitoringService,
    @Inject(MONITORING_STORE) private readonly monitoringStore: MonitoringStore,
    @Inject(AUDIT_TRAIL) private readonly audit: AuditTrail,
    @Inject(SCORE_MODEL) private readonly model: ScoreModel | null,
  ) {}

  // Cost: each call (each alias) reads result, task, report and media rows (~7 ms): priced as 500 fields,
  // so under a hundred aliases reach BRIXIA_GRAPHQL_MAX_COMPLEXITY instead of hundreds being answered.
  @Query(() => Assessment, { description: 'By Observation id or by Task id; RESOURCE.NOT_FOUND when unknown.', complexity: ({ childComplexity }) => ASSESSMENT_READ_COST + childComplexity })
  @Access('Observation', 'r')
  async assessment(
    @CurrentPrincipal() principal: Principal,
    @Args('observationId', { type: () => ID, nullable: true }) observationId: string | undefined,
    @Args('taskId', { type: () => ID, nullable: true }) taskId: string | undefined,
    @Context() context: GraphqlContext,
  ): Promise<Assessment> {
    noteAccess(context.req, { entities: [...(observationId ? [`Observation/${observationId}`] : []), ...(taskId ? [`Task/${taskId}`] : [])].filter((reference) => FHIR_ID_PATTERN.test(reference.split('/')[1])) });
    const { scoring, monitoringStore } = this;
    const view = await readAssessment(
      {
        findResult: (id) => monitoringStore.findResult(id),
        findTask: (id) => scoring.store.findTask(id),
        findStoredResources: (type, ids) => monitoringStore.findStoredResources(type, ids),
        findReviews: (id) => monitoringStore.findReviews(id),
      },
      { observationId: observationId ?? undefined, taskId: taskId ?? undefined },
    );
    assertSeesPatient(principal, view.result.patientId, 'This assessment');
    noteAccess(context.req, { entities: [`Observation/${view.result.id}`, ...(view.task ? [`Task/${view.task.id}`] : [])], patientIds: [view.result.patientId] });
    const radiographUrl = view.task?.imageId ? `${this.config.publicBaseUrl}/api/v1/images/${view.task.imageId}/radiograph.png` : null;
    return toAssessment(view, view.task ? await taskResource(scoring, view.task) : null, radiographUrl);
  }

  @RateLimited('scoring')
  @Mutation(() => AssessmentRequest, { description: 'Scores a study held by this service again (idempotent per image and model).' })
  @Access('Observation', 'c')
  async requestAssessment(@CurrentPrincipal() principal: Principal, @Args('imagingStudyId', { type: () => ID }) imagingStudyId: string, @Context() context: GraphqlContext): Promise<AssessmentRequest> {
    if (!FHIR_ID_PATTERN.test(imagingStudyId)) throw new AppError('REQUEST.INVALID', 'imagingStudyId must be a FHIR id', { expression: ['imagingStudyId'] });
    noteAccess(context.req, { entities: [`ImagingStudy/${imagingStudyId}`] });
    if (principal.patient !== undefined) assertSeesPatient(principal, (await this.scoring.store.findStudy(imagingStudyId))?.patientId, `ImagingStudy/${imagingStudyId}`);
    const recorded = await scoreStudy(this.scoring, { studyId: imagingStudyId }, undefined, context.req ? scoringRequestAudit(this.audit, context.req) : undefined);
    this.audit.committed(context.req);
    return { taskId: recorded.task.id, status: recorded.task.status, created: recorded.created, task: await taskResource(this.scoring, recorded.task) };
  }

  @Mutation(() => ReviewResult, { description: 'Confirm (final) or override (amended) an AI result; needs the version read once reviewed.' })
  @Access('Observation', 'u', { user: true })
  async reviewAssessment(@CurrentPrincipal() principal: Principal, @Args('input', { type: () => ReviewAssessmentInput }) input: ReviewAssessmentInput, @Context() context: GraphqlContext): Promise<ReviewResult> {
    // A review is an update of the Observation, audited in the review's own transaction.
    noteAccess(context.req, { action: 'U', interaction: 'update', entities: FHIR_ID_PATTERN.test(input.observationId) ? [`Observation/${input.observationId}`] : [] });
    if (principal.patient !== undefined) assertSeesPatient(principal, (await this.monitoringStore.findResult(input.observationId))?.patientId, `Observation/${input.observationId}`);
    // The reviewer is the token's user (the guard required one); input.practitionerId is not trusted.
    const practitionerId = practitionerIdOf(principal) as string;
    const build = this.audit.forTransaction(context.req);
    const outcome = await this.monitoring.review({
      observationId: input.observationId,
      action: input.action,
      zones: input.zones ? { A: input.zones.A, B: input.zones.B, C: input.zones.C, D: input.zones.D, E: input.zones.E, F: input.zones.F } : undefined,
      expectedVersion: input.expectedVersion ?? undefined,
      practitionerId,
    }, { audit: build && ((written) => build(200, { patientIds: [written.patientId] })) });
    this.audit.committed(context.req);
    noteAccess(context.req, { entities: [`Provenance/${outcome.provenance.id}`], patientIds: [outcome.patientId] });
    return { observationId: input.observationId, versionId: outcome.versionId, status: outcome.observation.status, observation: outcome.observation, provenance: outcome.provenance };
  }

  @RateLimited('occlusion')
  @Mutation(() => OcclusionExplanation, {
    description: 'Super-pixel occlusion maps of a completed scoring, added to its report: one model run per super-pixel (slow on CPU).',
  })
  @Access('Media', 'c')
  async explainByOcclusion(
    @CurrentPrincipal() principal: Principal,
    @Args('taskId', { type: () => ID }) taskId: string,
    @Args('segments', { type: () => Int, defaultValue: 180 }) segments: number,
    @Context() context: GraphqlContext,
  ): Promise<OcclusionExplanation> {
    const task = FHIR_ID_PATTERN.test(taskId) ? await this.scoring.store.findTask(taskId) : null;
    noteAccess(context.req, { entities: task ? [`Task/${task.id}`] : [], patientIds: task?.patientId ? [task.patientId] : [] });
    const model = this.model;
    if (!model) throw new AppError('REQUEST.INVALID', 'Occlusion maps need the model in this process (role all or worker)');
    if (principal.patient !== undefined) assertSeesPatient(principal, task?.patientId, `Task/${taskId}`);
    const events = this.monitoring.events;
    // About 20 progress events per request, and always the last one: enough for a progress bar,
    // few enough to relay to other processes.
    const onProgress = (done: number, total: number): void => {
      if (done === total || done % Math.max(1, Math.floor(total / 20)) === 0) events.publish({ type: 'occlusion-progress', taskId, done, total });
    };
    return explainByOcclusion(this.scoring, model, taskId, { segments, onProgress });
  }
}
