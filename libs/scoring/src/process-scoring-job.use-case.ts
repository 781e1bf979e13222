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
import { inProcessPreparer } from '@brixia/imaging';
import { assertChestRadiograph, type ScoreModel } from '@brixia/inference';
import type { CompletedScoring, ExpectedPoint, JobContext, ScoringJob, StudyPointRecord } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { explainResult } from './explain-result';
import { loadTaskPixels } from './load-task-pixels';
import { publicationFor } from './publication';
import { attachExplanations, renderMissingExplanations } from './recover-explanations';
import { checkAcquisitionTime } from './acquisition-time';
import { decideStudyPoint, decisionBeforeScoring, instanceQualityOf, type StudyPoint, type StudyPointDecision } from './study-point';

/** Rounds of deciding a study's point before giving up for a retry (each round lost means another instance was recorded). */
const MAX_POINT_ROUNDS = 10;
import { resultPatientIdOf } from './result-identity';

/**
 * Scores one task. Idempotent: state is re-read, a finished task is left alone (but for explanation
 * images lost with a worker that died after publishing), and the result's
 * ids derive from the task so a redo (crash, retry) writes the same rows.
 * Non-retryable failures (bad image) fail the Task; retryable ones are thrown for the queue to
 * retry with backoff, and fail the Task on the last try. One timeline point per ImagingStudy, the best
 * instance (study-point.ts): a scored instance becomes the point, supersedes a worse one, or completes as
 * skipped; the store re-checks the point under a lock (instances scored at the same time). An instance
 * whose study has a point no instance can displace completes as skipped, unscored.
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
    // A point no candidate can displace (reviewed, or recorded before ranking): skip without scoring.
    const point = task.imagingStudyId ? await context.store.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id) : null;
    const early = decisionBeforeScoring(studyPointOf(point));
    if (early?.kind === 'skip') {
      const skipped = await context.store.skipScoring(task.id, expectedPointOf(point), { reason: early.reason, pointObservationId: early.observationId });
      if (skipped.state !== 'point-changed') {
        logger.info({ pointObservationId: early.observationId, imagingStudyId: task.imagingStudyId }, 'instance skipped: its study already has its timeline point');
        context.completions.notify(task.id);
        return;
      }
    }
    await context.store.markTaskProgress(task.id, 'in-progress', 'fetching', task.attempts + 1);
    const pixels = await loadTaskPixels(context, task);
    const fetchedAt = Date.now();
    // Decode, the input gate (README.md, "Input gate": header, size, shape and contrast before the model runs...)
    // and preprocessing, in the preparer's threads when configured: this job's preparation overlaps the
    // inference of the job before it and leaves the event loop free.
    const { decoded, input } = await (context.preparer ?? inProcessPreparer()).prepare(pixels, { defaultTimezoneOffset: context.defaultTimezoneOffset });
    const prepareMs = Date.now() - fetchedAt;
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
    const inferenceStarted = Date.now();
    const output = await model.score(input, { withExplanations: context.explanations !== undefined });
    const inferenceMs = Date.now() - inferenceStarted;
    // ...and the model's own lung mask and alignment after: a refused image fails the Task, no Observation.
    assertChestRadiograph(output);

    await context.store.markTaskProgress(task.id, 'in-progress', 'publishing');
    const issued = context.clock.now().toISOString();
    const identity = model.identity;
    const observationId = derivedId('obs', task.id);
    const reportId = derivedId('dr', task.id);
    const studyInstanceUid = study?.studyInstanceUid ?? decoded.metadata.studyInstanceUid ?? `2.25.${uuidAsDecimal(task.imagingStudyId ?? task.id)}`;
    // PNG/JPEG have no SOP Instance UID: the image hash stands in, so the identifier stays deterministic.
    const sopInstanceUid = decoded.metadata.sopInstanceUid ?? createHash('sha256').update(pixels).digest('hex');
    const patientId = resultPatientIdOf(task, study);
    // A study from an EHR names the EHR's Patient (absolute URL + identifier); ours are `Patient/<id>`.
    const subject = study?.source === 'external' && study.resource.subject?.reference && /^https?:\/\//.test(study.resource.subject.reference) ? study.resource.subject : undefined;
    const identifier = observationIdentifier(context.fhir, { patientId, studyInstanceUid, sopInstanceUid, modelVersion: identity.version });
    const observation = buildBrixiaObservation(context.fhir, {
      id: observationId,
      scoring: output,
      model: identity,
      patientId,
      subject,
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
      subject,
      imagingStudyId: task.imagingStudyId ?? undefined,
      effectiveDateTime: acquiredAt,
      issued,
      model: identity,
      status: 'preliminary',
    });
    const quality = instanceQualityOf({ viewPosition: decoded.metadata.viewPosition, width: decoded.image.width, height: decoded.image.height, lungMask: output.lungMask });
    const result = {
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
      instanceQuality: quality,
      supersededBy: null,
      alignment: [...output.lungMask.alignment],
    };
    const completionOf = (chosen: StudyPointDecision, current: StudyPointRecord | null, expectedPoint: ExpectedPoint): CompletedScoring => {
      const supersedes = chosen.kind === 'supersede' ? chosen : undefined;
      const replaced = supersedes ? [`Observation/${supersedes.observationId}`, ...(current?.diagnosticReportId ? [`DiagnosticReport/${current.diagnosticReportId}`] : [])] : [];
      const provenance = buildProvenance(context.fhir, {
        id: derivedId('prov', task.id),
        targets: [`Observation/${observationId}`, `DiagnosticReport/${reportId}`],
        recorded: issued,
        model: identity,
        imagingStudyId: task.imagingStudyId ?? undefined,
        activity: 'create',
        ...(replaced.length > 0 ? { supersedes: replaced } : {}),
      });
      const published = [buildModelDevice(identity, context.fhir), observation, report, provenance];
      return {
        taskId: task.id,
        result,
        resources: [observation, report, provenance],
        diagnosticReportId: reportId,
        outbox: publicationFor(context, task.id, study, published, observationId, supersedes?.observationId),
        events: [{ focus: `Observation/${observationId}`, patientId: task.patientId }],
        expectedPoint,
        ...(supersedes ? { supersedes: { observationId: supersedes.observationId, reason: supersedes.reason } } : {}),
      };
    };
    const storeStarted = Date.now();
    // One timeline point per study: decided against the point read now, written only if it is still the
    // point under the study lock (else read and decide again; each round means another writer finished).
    let decision: StudyPointDecision = { kind: 'point' };
    for (let round = 1; ; round++) {
      const current = task.imagingStudyId ? await context.store.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id) : null;
      decision = decideStudyPoint(quality, studyPointOf(current));
      const expectedPoint = expectedPointOf(current);
      const completion =
        decision.kind === 'skip'
          ? await context.store.skipScoring(task.id, expectedPoint, { reason: decision.reason, pointObservationId: decision.observationId })
          : await context.store.completeScoring(completionOf(decision, current, expectedPoint));
      if (completion.state === 'skipped') {
        logger.info({ pointObservationId: completion.skip.pointObservationId, imagingStudyId: task.imagingStudyId, quality }, 'instance skipped: its study has a timeline point at least as good');
        context.completions.notify(task.id);
        return;
      }
      if (completion.state === 'completed') break;
      if (round >= MAX_POINT_ROUNDS) throw new AppError('INTERNAL', "The ImagingStudy's timeline point kept changing while this instance was recorded");
    }
    if (decision.kind === 'supersede') {
      logger.info({ observationId, supersededObservationId: decision.observationId, imagingStudyId: task.imagingStudyId, quality }, 'instance became its study\'s timeline point, superseding another');
    }
    const storeMs = Date.now() - storeStarted;
    const observe = context.observeStage;
    if (observe) {
      observe('fetch', fetchedAt - started);
      observe('prepare', prepareMs);
      observe('inference', inferenceMs);
      observe('store', storeMs);
    }
    logger.info(
      {
        observationId,
        modelVersion: identity.version,
        executionProvider: model.executionProvider,
        fetchMs: fetchedAt - started,
        prepareMs,
        inferenceMs,
        storeMs,
        durationMs: Date.now() - started,
        device: deviceIdFor(identity),
      },
      'scoring completed',
    );
    context.completions.notify(task.id);
    const completedAt = Date.now();
    // Explanations come after the result is out: the 7 overlays cost more CPU than the rest of the job
    // and nobody waits for them. Deferred (the service), they are rendered once scoring is idle, off this
    // job's slot; else here. The report gains its media in a second write (a new version).
    if (context.deferredExplanations && context.explanations && output.zoneCams) {
      await context.deferredExplanations.defer(task.id, { radiograph: decoded.image, output, created: issued });
      observe?.('total', Date.now() - started);
      return;
    }
    const explanation = await explainResult(
      context.explanations,
      { observationId, patientId, radiograph: decoded.image, scoring: output, output, created: issued, model: identity },
      logger,
    );
    if (explanation) await attachExplanations(context, { ...report, media: explanation.reportMedia }, explanation.resources, logger);
    if (observe) {
      observe('explain', Date.now() - completedAt);
      observe('total', Date.now() - started);
    }
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

/** The stored point as ranking sees it (reviewed = a clinician changed its status). */
function studyPointOf(record: StudyPointRecord | null): StudyPoint | null {
  return record ? { observationId: record.observationId, quality: record.quality, reviewed: record.status !== 'preliminary' } : null;
}

function expectedPointOf(record: StudyPointRecord | null): ExpectedPoint {
  return record ? { observationId: record.observationId, versionId: record.versionId } : null;
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
