import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import { decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
import type { ScoreModel } from '@brixia/inference';
import { resultPatientIdOf } from './result-identity';
import type { ScoringContext } from './scoring-context';

export interface OcclusionOutcome {
  readonly images: number;
  readonly segments: number;
  readonly forwardPasses: number;
  readonly durationMs: number;
}

/** Most super-pixels one request may ask for (each costs a model run). */
export const MAX_OCCLUSION_SEGMENTS = 400;

/**
 * On-demand super-pixel occlusion maps of a completed scoring (Signoroni et al. 2021, the paper's explanation
 * method): the task's image is decoded and preprocessed again, the model re-scores one occluded
 * copy per super-pixel (micro-batched), and the overlays are stored as Binary + Media and added to
 * the DiagnosticReport's media (replacing earlier occlusion images of the same result).
 */
export async function explainByOcclusion(
  context: ScoringContext,
  model: ScoreModel,
  taskId: string,
  options: { segments?: number; onProgress?: (done: number, total: number) => void } = {},
): Promise<OcclusionOutcome> {
  const renderOcclusion = context.explanations?.renderOcclusion;
  if (!renderOcclusion) throw new AppError('REQUEST.INVALID', 'Explanations are switched off on this service');
  const segments = options.segments ?? 180;
  if (!Number.isInteger(segments) || segments < 4 || segments > MAX_OCCLUSION_SEGMENTS) {
    throw new AppError('REQUEST.INVALID', `segments must be an integer 4–${MAX_OCCLUSION_SEGMENTS}`, { expression: ['segments'] });
  }
  const task = FHIR_ID_PATTERN.test(taskId) ? await context.store.findTask(taskId) : null;
  if (!task) throw new AppError('RESOURCE.NOT_FOUND', `Task/${taskId} is not known`);
  if (task.status !== 'completed' || !task.observationId) throw new AppError('REQUEST.INVALID', `Task/${taskId} has no result to explain (status ${task.status})`);
  if (!task.imageId) throw new AppError('IMAGING.NO_PIXELS', 'This service holds no image for the task');
  const patientId = resultPatientIdOf(task, task.imagingStudyId ? await context.store.findStudy(task.imagingStudyId) : null);
  const image = await context.store.loadImageContent(task.imageId);
  if (!image) throw new AppError('IMAGING.NO_PIXELS', 'The image of this task is missing');
  const decoded = await decodeRadiograph(image.content, { defaultTimezoneOffset: context.defaultTimezoneOffset });
  const input = preprocessForBsnet(decoded.image);
  const base = await model.score(input);
  const rendered = await renderOcclusion.call(context.explanations, {
    observationId: task.observationId,
    patientId,
    radiograph: decoded.image,
    input,
    predicted: base.zones,
    scorer: model,
    segments,
    created: context.clock.now().toISOString(),
    model: model.identity,
    onProgress: options.onProgress,
  });
  for (const resource of rendered.resources) await context.store.saveResource(resource);
  if (task.diagnosticReportId) {
    const row = await context.store.findResource('DiagnosticReport', task.diagnosticReportId);
    if (row) {
      const report = row.resource as fhir4.DiagnosticReport;
      const added = new Set(rendered.reportMedia.map((media) => media.link.reference));
      const media = [...(report.media ?? []).filter((entry) => !added.has(entry.link.reference)), ...rendered.reportMedia];
      await context.store.saveResource({ ...report, media });
    }
  }
  return { images: rendered.reportMedia.length, segments: rendered.segments, forwardPasses: rendered.forwardPasses, durationMs: Math.round(rendered.durationMs) };
}
