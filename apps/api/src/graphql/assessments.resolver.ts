import { Inject, UseFilters } from '@nestjs/common';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@brixia/common';
import { readAssessment } from '@brixia/monitoring';
import { explainByOcclusion, scoreStudy, taskResource } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { RUNTIME } from '../infrastructure/tokens';
import { GraphqlPassThroughFilter } from './graphql-errors';
import { toAssessment } from './monitoring.mapper';
import { Assessment, AssessmentRequest, OcclusionExplanation, ReviewAssessmentInput, ReviewResult } from './monitoring.types';
import { FHIR_ID_PATTERN } from '@brixia/fhir';

/** Assessments: read one, request one, review one. */
@Resolver(() => Assessment)
@UseFilters(GraphqlPassThroughFilter)
export class AssessmentsResolver {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Query(() => Assessment, { description: 'By Observation id or by Task id; RESOURCE.NOT_FOUND when unknown.' })
  async assessment(
    @Args('observationId', { type: () => ID, nullable: true }) observationId: string | undefined,
    @Args('taskId', { type: () => ID, nullable: true }) taskId: string | undefined,
  ): Promise<Assessment> {
    const { scoring, monitoring } = this.runtime;
    const view = await readAssessment(
      {
        findResult: (id) => monitoring.store.findResult(id),
        findTask: (id) => scoring.store.findTask(id),
        findStoredResources: (type, ids) => monitoring.store.findStoredResources(type, ids),
      },
      { observationId: observationId ?? undefined, taskId: taskId ?? undefined },
    );
    const radiographUrl = view.task?.imageId ? `${this.runtime.config.publicBaseUrl}/api/v1/images/${view.task.imageId}/radiograph.png` : null;
    return toAssessment(view, view.task ? taskResource(scoring, view.task) : null, radiographUrl);
  }

  @Mutation(() => AssessmentRequest, { description: 'Scores a study held by this service again (idempotent per image and model).' })
  async requestAssessment(@Args('imagingStudyId', { type: () => ID }) imagingStudyId: string): Promise<AssessmentRequest> {
    if (!FHIR_ID_PATTERN.test(imagingStudyId)) throw new AppError('REQUEST.INVALID', 'imagingStudyId must be a FHIR id', { expression: ['imagingStudyId'] });
    const recorded = await scoreStudy(this.runtime.scoring, { studyId: imagingStudyId });
    return { taskId: recorded.task.id, status: recorded.task.status, created: recorded.created, task: taskResource(this.runtime.scoring, recorded.task) };
  }

  @Mutation(() => ReviewResult, { description: 'Confirm (final) or override (amended) an AI result; needs the version read once reviewed.' })
  async reviewAssessment(@Args('input', { type: () => ReviewAssessmentInput }) input: ReviewAssessmentInput): Promise<ReviewResult> {
    const outcome = await this.runtime.monitoring.service.review({
      observationId: input.observationId,
      action: input.action,
      zones: input.zones ? { A: input.zones.A, B: input.zones.B, C: input.zones.C, D: input.zones.D, E: input.zones.E, F: input.zones.F } : undefined,
      expectedVersion: input.expectedVersion ?? undefined,
      practitionerId: input.practitionerId,
    });
    return { observationId: input.observationId, versionId: outcome.versionId, status: outcome.observation.status, observation: outcome.observation, provenance: outcome.provenance };
  }

  @Mutation(() => OcclusionExplanation, {
    description: 'Super-pixel occlusion maps of a completed scoring, added to its report: one model run per super-pixel (slow on CPU).',
  })
  async explainByOcclusion(
    @Args('taskId', { type: () => ID }) taskId: string,
    @Args('segments', { type: () => Int, defaultValue: 180 }) segments: number,
  ): Promise<OcclusionExplanation> {
    const model = this.runtime.model;
    if (!model) throw new AppError('REQUEST.INVALID', 'Occlusion maps need the model in this process (role all or worker)');
    const events = this.runtime.monitoring.service.events;
    // About 20 progress events per request, and always the last one: enough for a progress bar,
    // few enough to relay to other processes.
    const onProgress = (done: number, total: number): void => {
      if (done === total || done % Math.max(1, Math.floor(total / 20)) === 0) events.publish({ type: 'occlusion-progress', taskId, done, total });
    };
    return explainByOcclusion(this.runtime.scoring, model, taskId, { segments, onProgress });
  }
}
