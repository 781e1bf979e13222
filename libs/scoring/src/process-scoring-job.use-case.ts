import { createHash } from 'node:crypto';
import { AppError, isLastTry, toAppError } from '@brixia/common';
import {
  buildBrixiaObservation,
  buildDiagnosticReport,
  buildModelDevice,
  buildProvenance,
  deviceIdFor,
  observationIdentifier,
} from '@brixia/fhir';
import { assertScorableRadiograph, decodeRadiograph, preprocessForBsnet } from '@brixia/imaging';
import { assertChestRadiograph, type ScoreModel } from '@brixia/inference';
import type { JobContext, ScoringJob } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { explainResult } from './explain-result';
import { loadTaskPixels } from './load-task-pixels';
import { publicationFor } from './publication';
import { attachExplanations, renderMissingExplanations } from './recover-explanations';
import { checkAcquisitionTime } from './acquisition-time';
import { resultPatientIdOf } from './result-identity';

/**
 * Scores one task. Idempotent: state is re-read, a finished task is left alone (but for explanation
 * images lost with a worker that died after publishing), and the result's
 * ids derive from the task so a redo (crash, retry) writes the same rows.
 * Non-retryable failures (bad image) fail the Task; retryable ones are thrown for the queue to
 * retry with backoff, and fail the Task on the last try. An instance of an ImagingStudy that already has
 * its timeline point completes as skipped, unscored (and ScoringStore.completeScoring re-checks under a
 * lock, for instances scored at the same time).
 */
export async function processScoringJob(context: ScoringContext, model: ScoreModel, job: ScoringJob, jobContext: JobContext): Promise<void> {
  const logger = context.logger.child({ jobId: jobContext.jobId, taskId: job.taskId, requestId: job.requestId });
  const task = await context.store.findTask(job.taskId);
  if (!task || task.status === 'failed') return;
  if (task.status === 'completed') {
    await renderMissingExplanations(context, model, task, logger);
    return;
  }
  const started = Date.now();
  try {
    const point = task.imagingStudyId ? await context.store.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id) : null;
    if (point) {
      await context.store.skipTask(task.id, point);
      logger.info({ pointObservationId: point, imagingStudyId: task.imagingStudyId }, 'instance skipped: its study already has its timeline point');
      context.completions.notify(task.id);
      return;
    }
    await context.store.markTaskProgress(task.id, 'in-progress', 'fetching', task.attempts + 1);
    const pixels = await loadTaskPixels(context, task);
    const fetchedAt = Date.now();
    const decoded = await decodeRadiograph(pixels, { defaultTimezoneOffset: context.defaultTimezoneOffset });
    const decodeMs = Date.now() - fetchedAt;
    // The input gate (README.md, "Input gate"): header, size, shape and contrast before the model runs...
    assertScorableRadiograph(decoded);
    const study = task.imagingStudyId ? await context.store.findStudy(task.imagingStudyId) : null;
    const acquisitionTime = study?.resource.started ?? decoded.metadata.acquisitionDateTime;
    if (!acquisitionTime) throw new AppError('IMAGING.MISSING_ACQUISITION_TIME', 'The acquisition time of the image is unknown');
    // Uploads were checked at intake; an EHR's ImagingStudy.started or a PACS header is checked here.
    const acquiredAt = checkAcquisitionTime(
      acquisitionTime,
      { now: context.clock.now(), maxFutureSkewSeconds: context.maxFutureSkewSeconds, defaultTimezoneOffset: context.defaultTimezoneOffset },
      { field: 'ImagingStudy.started', label: "The ImagingStudy's acquisition time", allowDateOnly: true },
    );

    await context.store.markTaskProgress(task.id, 'in-progress', 'inferring');
    const preprocessStarted = Date.now();
    const input = preprocessForBsnet(decoded.image);
    const inferenceStarted = Date.now();
    const output = await model.score(input, { withExplanations: context.explanations !== undefined });
    const inferenceMs = Date.now() - inferenceStarted;
    // ...and the model's own lung mask and alignment after: a refused image fails the Task, no Observation.
    assertChestRadiograph(output);
    const preprocessMs = inferenceStarted - preprocessStarted;

    await context.store.markTaskProgress(task.id, 'in-progress', 'publishing');
    const issued = context.clock.now().toISOString();
    const identity = model.identity;
    const observationId = derivedId('obs', task.id);
    const reportId = derivedId('dr', task.id);
    const studyInstanceUid = study?.studyInstanceUid ?? decoded.metadata.studyInstanceUid ?? `2.25.${uuidAsDecimal(task.imagingStudyId ?? task.id)}`;
    // PNG/JPEG have no SOP Instance UID: the image hash stands in, so the identifier stays deterministic.
    const sopInstanceUid = decoded.metadata.sopInstanceUid ?? createHash('sha256').update(pixels).digest('hex');
    const patientId = resultPatientIdOf(task, study);
    const identifier = observationIdentifier(context.fhir, { patientId, studyInstanceUid, sopInstanceUid, modelVersion: identity.version });
    const observation = buildBrixiaObservation(context.fhir, {
      id: observationId,
      scoring: output,
      model: identity,
      patientId,
      imagingStudy: { id: task.imagingStudyId ?? undefined, studyInstanceUid: study?.studyInstanceUid ?? decoded.metadata.studyInstanceUid },
      sopInstanceUid: decoded.metadata.sopInstanceUid,
      identifier,
      effectiveDateTime: acquiredAt,
      issued,
      status: 'preliminary',
      method: 'bsnet-automated',
    });
    const report = buildDiagnosticReport(context.fhir, {
      id: reportId,
      observationId,
      scoring: output,
      patientId,
      imagingStudyId: task.imagingStudyId ?? undefined,
      effectiveDateTime: acquiredAt,
      issued,
      model: identity,
      status: 'preliminary',
    });
    const provenance = buildProvenance(context.fhir, {
      id: derivedId('prov', task.id),
      targets: [`Observation/${observationId}`, `DiagnosticReport/${reportId}`],
      recorded: issued,
      model: identity,
      imagingStudyId: task.imagingStudyId ?? undefined,
      activity: 'create',
    });
    const storeStarted = Date.now();
    const completion = await context.store.completeScoring({
      taskId: task.id,
      result: {
        id: observationId,
        taskId: task.id,
        patientId,
        imagingStudyId: task.imagingStudyId,
        identifierSystem: identifier.system ?? '',
        identifierValue: identifier.value ?? '',
        acquiredAt: new Date(acquiredAt),
        issuedAt: new Date(issued),
        globalScore: output.global,
        zoneScores: { ...output.zones },
        probabilities: { ...output.probabilities },
        modelVersion: identity.version,
        modelSha256: identity.sha256,
        method: 'bsnet-automated',
        status: 'preliminary',
      },
      resources: [observation, report, provenance],
      diagnosticReportId: reportId,
      outbox: publicationFor(context, task.id, study, [buildModelDevice(identity, context.fhir), observation, report, provenance], observationId),
      events: [{ focus: `Observation/${observationId}`, patientId: task.patientId }],
    });
    if (completion.state === 'skipped') {
      logger.info({ pointObservationId: completion.skip.pointObservationId, imagingStudyId: task.imagingStudyId }, 'instance skipped: its study got its timeline point meanwhile');
      context.completions.notify(task.id);
      return;
    }
    logger.info(
      {
        observationId,
        modelVersion: identity.version,
        executionProvider: model.executionProvider,
        fetchMs: fetchedAt - started,
        decodeMs,
        preprocessMs,
        inferenceMs,
        storeMs: Date.now() - storeStarted,
        durationMs: Date.now() - started,
        device: deviceIdFor(identity),
      },
      'scoring completed',
    );
    context.completions.notify(task.id);
    // Explanations come after the result is out: the 7 overlays cost more CPU than the rest of the job
    // and nobody waits for them. The report gains its media in a second write (a new version).
    const explanation = await explainResult(
      context.explanations,
      { observationId, patientId, radiograph: decoded.image, scoring: output, output, created: issued, model: identity },
      logger,
    );
    if (explanation) await attachExplanations(context, { ...report, media: explanation.reportMedia }, explanation.resources, logger);
  } catch (error) {
    const appError = toAppError(error);
    // pg-boss counts retries (0 on the first try) against a limit of retries; the rule counts tries.
    const lastTry = isLastTry({ maxAttempts: jobContext.retryLimit + 1, retryPeriodMs: Infinity }, { attempts: jobContext.retryCount + 1 });
    if (!appError.spec.retryable || lastTry) {
      await context.store.failTask(task.id, { code: appError.code, message: appError.message });
      logger.warn({ code: appError.code, retryCount: jobContext.retryCount, durationMs: Date.now() - started }, 'scoring failed');
      if (appError.code === 'INTERNAL') logger.error({ err: String((appError.cause as Error)?.stack ?? appError.cause) }, 'unexpected error while scoring');
      context.completions.notify(task.id);
      return;
    }
    await context.store.markTaskProgress(task.id, 'requested', 'queued');
    logger.warn({ code: appError.code, retryCount: jobContext.retryCount }, 'scoring will be retried');
    throw appError;
  }
}

/** Ids derived from the task, so a redo after a crash writes the same resources. */
function derivedId(prefix: string, taskId: string): string {
  return `${prefix}-${createHash('sha256').update(`${prefix}:${taskId}`).digest('hex').slice(0, 32)}`;
}

/** A UUID as a decimal integer, for 2.25.<uuid> UIDs (DICOM PS3.5 B.2). */
function uuidAsDecimal(uuid: string): string {
  const hex = uuid.replace(/-/g, '');
  return /^[0-9a-f]{32}$/i.test(hex) ? BigInt(`0x${hex}`).toString(10) : BigInt(`0x${createHash('sha256').update(uuid).digest('hex').slice(0, 32)}`).toString(10);
}
