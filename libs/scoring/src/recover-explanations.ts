import { toAppError } from '@brixia/common';
import { deviceIdFor } from '@brixia/fhir';
import { decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
import type { ScoreModel } from '@brixia/inference';
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
export async function renderMissingExplanations(context: ScoringContext, model: ScoreModel, task: ScoringTaskRecord, logger: ScoringContext['logger']): Promise<void> {
  if (!context.explanations || !task.observationId || !task.diagnosticReportId) return;
  const [reportRow, observationRow] = await Promise.all([
    context.store.findResource('DiagnosticReport', task.diagnosticReportId),
    context.store.findResource('Observation', task.observationId),
  ]);
  if (!reportRow || !observationRow) return;
  const report = reportRow.resource as fhir4.DiagnosticReport;
  if ((report.media?.length ?? 0) > 0) return;
  const observation = observationRow.resource as fhir4.Observation;
  if (observation.device?.reference !== `Device/${deviceIdFor(model.identity)}`) {
    logger.info({ observationId: task.observationId, device: observation.device?.reference }, 'explanations missing but the result came from another model; not rendered');
    return;
  }
  // The result's own patient, by the rule it was filed under (a Task without one never completed).
  const patientId = resultPatientIdOf(task, task.imagingStudyId ? await context.store.findStudy(task.imagingStudyId) : null);
  const decoded = await decodeRadiograph(await loadTaskPixels(context, task), { defaultTimezoneOffset: context.defaultTimezoneOffset });
  const output = await model.score(preprocessForBsnet(decoded.image), { withExplanations: true });
  const explanation = await explainResult(
    context.explanations,
    { observationId: task.observationId, patientId, radiograph: decoded.image, scoring: output, output, created: context.clock.now().toISOString(), model: model.identity },
    logger,
  );
  if (!explanation) return;
  await attachExplanations(context, { ...report, media: explanation.reportMedia }, explanation.resources, logger);
  logger.info({ observationId: task.observationId, images: explanation.reportMedia.length }, 'missing explanations rendered for a redelivered job');
}
