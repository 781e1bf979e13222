import { toAppError } from '@brixia/common';
import { deviceIdFor } from '@brixia/fhir';
import { decodeRadiograph, preprocessForBsnet, type GreyImage } from '@brixia/imaging';
import type { ModelOutput, ScoreModel } from '@brixia/inference';
import type { ScoringTaskRecord } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { explainResult } from './explain-result';
import { loadTaskPixels } from './load-task-pixels';
import { resultPatientIdOf } from './result-identity';

/** Stores rendered explanation images and the report that links them; a failure leaves the result as published. */
export async function attachExplanations(context: ScoringContext, report: fhir4.DiagnosticReport, images: readonly fhir4.FhirResource[], logger: ScoringContext['logger']): Promise<void> {
  try {
    await context.store.saveResources([...images, report]);
  } catch (error) {
    logger.warn({ diagnosticReportId: report.id, code: toAppError(error).code }, 'explanations not stored; the result stays without them');
  }
}

/**
 * A job redelivered after its result was published (the worker died while rendering the overlays,
 * which happens after publication) finds the Task completed. Its explanation images are rendered now,
 * from the same pixels and the same model, so they are not lost with the worker. Nothing happens
 * when the report already has them, explanations are off, or the model has changed since: heat maps
 * of another model would not explain the published score.
 */
export async function renderMissingExplanations(
  context: ScoringContext,
  model: ScoreModel,
  task: ScoringTaskRecord,
  logger: ScoringContext['logger'],
  held?: HeldExplanationInput,
): Promise<boolean> {
  if (!context.explanations || !task.observationId || !task.diagnosticReportId) return false;
  const [reportRow, observationRow] = await Promise.all([
    context.store.findResource('DiagnosticReport', task.diagnosticReportId),
    context.store.findResource('Observation', task.observationId),
  ]);
  if (!reportRow || !observationRow) return false;
  const report = reportRow.resource as fhir4.DiagnosticReport;
  if ((report.media?.length ?? 0) > 0) return false;
  const observation = observationRow.resource as fhir4.Observation;
  if (observation.device?.reference !== `Device/${deviceIdFor(model.identity)}`) {
    logger.info({ observationId: task.observationId, device: observation.device?.reference }, 'explanations missing but the result came from another model; not rendered');
    return false;
  }
  // The result's own patient, by the rule it was filed under (a Task without one never completed).
  const patientId = resultPatientIdOf(task, task.imagingStudyId ? await context.store.findStudy(task.imagingStudyId) : null);
  // The scoring job's own radiograph and CAMs when this process still holds them; else decoded and run again.
  const { radiograph, output, created } = held ?? (await recomputeExplanationInput(context, model, task));
  const explanation = await explainResult(
    context.explanations,
    { observationId: task.observationId, patientId, subject: observation.subject, radiograph, scoring: output, output, created, model: model.identity },
    logger,
  );
  if (!explanation) return false;
  // The report as stored now (a review may have changed it since scoring), gaining its media.
  await attachExplanations(context, { ...report, media: explanation.reportMedia }, explanation.resources, logger);
  if (!held) logger.info({ observationId: task.observationId, images: explanation.reportMedia.length }, 'missing explanations rendered from the stored image');
  return true;
}

/** What rendering a result's overlays needs from its scoring: the radiograph and the model's CAMs. */
export interface HeldExplanationInput {
  readonly radiograph: GreyImage;
  readonly output: Pick<ModelOutput, 'zones' | 'zoneCams' | 'alignment'>;
  readonly created: string;
}

async function recomputeExplanationInput(context: ScoringContext, model: ScoreModel, task: ScoringTaskRecord): Promise<HeldExplanationInput> {
  const decoded = await decodeRadiograph(await loadTaskPixels(context, task), { defaultTimezoneOffset: context.defaultTimezoneOffset });
  const output = await model.score(preprocessForBsnet(decoded.image), { withExplanations: true });
  return { radiograph: decoded.image, output, created: context.clock.now().toISOString() };
}
