import { AppError, type Logger } from '@brixia/common';
import { deviceIdFor } from '@brixia/fhir';
import { inProcessPreparer, type PreparedRadiograph } from '@brixia/imaging';
import { assertChestRadiograph, type ModelOutput, type ScoreModel } from '@brixia/inference';
import { checkAcquisitionTime } from './acquisition-time';
import { explainResult } from './explain-result';
import { loadTaskPixels } from './load-task-pixels';
import { publicationFor } from './publication';
import { attachExplanations } from './recover-explanations';
import type { ScoringContext } from './scoring-context';
import { buildCompletion, expectedPointOf, studyPointOf, type ScoringResult, type StoredStudy } from './scoring-resources';
import { decideStudyPoint, decisionBeforeScoring, type StudyPointDecision } from './study-point';

/**
 * The steps of a scoring job that read or write (processScoringJob runs them in order): each takes what
 * it needs and answers what the next step uses; the resources themselves are built by the pure
 * scoring-resources.ts. Failures are thrown as they are: the job handles them in one place.
 */

type ScoringStorePort = ScoringContext['store'];
/** A scoring Task as the store answers it. */
export type StoredTask = NonNullable<Awaited<ReturnType<ScoringStorePort['findTask']>>>;

/** Rounds of deciding a study's point before giving up for a retry (each round lost means another instance was recorded). */
const MAX_POINT_ROUNDS = 10;

/** The Task of a job and what becomes of it: nothing (gone or failed), explanations only (completed), or scoring. */
export type LoadedJob =
  | { readonly kind: 'finished' }
  | { readonly kind: 'completed'; readonly task: StoredTask }
  | { readonly kind: 'open'; readonly task: StoredTask };

/** Re-reads the Task: a job is idempotent, so its state decides, never the payload. */
export async function loadJob(context: ScoringContext, taskId: string): Promise<LoadedJob> {
  const task = await context.store.findTask(taskId);
  if (!task || task.status === 'failed') return { kind: 'finished' };
  return { kind: task.status === 'completed' ? 'completed' : 'open', task };
}

/** The Task's stored ImagingStudy, or null for a Task without one. */
export async function loadStudy(context: ScoringContext, task: StoredTask): Promise<StoredStudy | null> {
  return task.imagingStudyId ? context.store.findStudy(task.imagingStudyId) : null;
}

/**
 * Skips an instance whose study has a point no candidate can displace (reviewed, or recorded before
 * ranking), without scoring it. True when the Task completed as skipped; false when it must be scored
 * (no such point, or the point changed while the skip was recorded).
 */
export async function skipIfPointSettled(context: ScoringContext, task: StoredTask, logger: Logger): Promise<boolean> {
  const point = task.imagingStudyId ? await context.store.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id) : null;
  const early = decisionBeforeScoring(studyPointOf(point));
  if (early?.kind !== 'skip') return false;
  const skipped = await context.store.skipScoring(task.id, expectedPointOf(point), { reason: early.reason, pointObservationId: early.observationId });
  if (skipped.state === 'point-changed') return false;
  logger.info({ pointObservationId: early.observationId, imagingStudyId: task.imagingStudyId }, 'instance skipped: its study already has its timeline point');
  context.completions.notify(task.id);
  return true;
}

/** The bytes of a Task, decoded, through the input gate's header and image rules, preprocessed for the model. */
export interface FetchedImage extends PreparedRadiograph {
  readonly pixels: Buffer;
  readonly fetchMs: number;
  readonly prepareMs: number;
}

/**
 * Fetches the Task's image (stored upload or WADO-RS) and prepares it: decoding, the input gate
 * (README.md, "Input gate": header, size, shape and contrast before the model runs) and preprocessing,
 * in the preparer's threads when configured, so this job's preparation overlaps the inference of the
 * job before it and leaves the event loop free. fetchMs counts from `startedAt`, the job's start (as the
 * fetch stage always has: the point lookup and the progress write before the fetch are part of it).
 */
export async function fetchAndPrepare(context: ScoringContext, task: StoredTask, startedAt: number): Promise<FetchedImage> {
  const pixels = await loadTaskPixels(context, task);
  const fetchedAt = Date.now();
  const { decoded, input } = await (context.preparer ?? inProcessPreparer()).prepare(pixels, { defaultTimezoneOffset: context.defaultTimezoneOffset });
  return { pixels, decoded, input, fetchMs: fetchedAt - startedAt, prepareMs: Date.now() - fetchedAt };
}

/**
 * The acquisition time of the result: the stored ImagingStudy's, else the image header's. Uploads were
 * checked at intake; an EHR's ImagingStudy.started or a PACS header is checked here.
 */
export function acquisitionTimeOf(context: ScoringContext, study: StoredStudy | null, prepared: PreparedRadiograph): string {
  const acquisitionTime = study?.resource.started ?? prepared.decoded.metadata.acquisitionDateTime;
  if (!acquisitionTime) throw new AppError('IMAGING.MISSING_ACQUISITION_TIME', 'The acquisition time of the image is unknown');
  return checkAcquisitionTime(
    acquisitionTime,
    { now: context.clock.now(), maxFutureSkewSeconds: context.maxFutureSkewSeconds, defaultTimezoneOffset: context.defaultTimezoneOffset },
    { field: 'ImagingStudy.started', label: "The ImagingStudy's acquisition time", allowDateOnly: true },
  );
}

/**
 * Runs the model, then the input gate's last rule, the model's own lung mask and alignment: a refused
 * image fails the Task, no Observation.
 */
export async function infer(context: ScoringContext, model: ScoreModel, input: Float32Array): Promise<{ output: ModelOutput; inferenceMs: number }> {
  const started = Date.now();
  const output = await model.score(input, { withExplanations: context.explanations !== undefined });
  const inferenceMs = Date.now() - started;
  assertChestRadiograph(output);
  return { output, inferenceMs };
}

/** How a scored instance was recorded: as its study's point (maybe superseding another), or skipped. */
export type RecordedPoint = { readonly kind: 'point'; readonly decision: StudyPointDecision; readonly storeMs: number } | { readonly kind: 'skipped' };

/**
 * Ranks the instance against its study's point and records the outcome: the result, its resources and
 * its publication (outbox) as the point, or the Task as skipped. Decided against the point read now,
 * written only if it is still the point under the study lock (else read and decide again; each round
 * means another writer finished).
 */
export async function rankAndRecord(context: ScoringContext, task: StoredTask, study: StoredStudy | null, result: ScoringResult, logger: Logger): Promise<RecordedPoint> {
  const started = Date.now();
  for (let round = 1; ; round++) {
    const current = task.imagingStudyId ? await context.store.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id) : null;
    const decision = decideStudyPoint(result.quality, studyPointOf(current));
    const completion =
      decision.kind === 'skip'
        ? await context.store.skipScoring(task.id, expectedPointOf(current), { reason: decision.reason, pointObservationId: decision.observationId })
        : await context.store.completeScoring(
            buildCompletion(context.fhir, result, decision, current, (published, supersedes) => publicationFor(context, task.id, study, published, result.ids.observationId, supersedes)),
          );
    if (completion.state === 'skipped') {
      logger.info({ pointObservationId: completion.skip.pointObservationId, imagingStudyId: task.imagingStudyId, quality: result.quality }, 'instance skipped: its study has a timeline point at least as good');
      context.completions.notify(task.id);
      return { kind: 'skipped' };
    }
    if (completion.state === 'completed') {
      if (decision.kind === 'supersede') {
        logger.info({ observationId: result.ids.observationId, supersededObservationId: decision.observationId, imagingStudyId: task.imagingStudyId, quality: result.quality }, "instance became its study's timeline point, superseding another");
      }
      return { kind: 'point', decision, storeMs: Date.now() - started };
    }
    if (round >= MAX_POINT_ROUNDS) throw new AppError('INTERNAL', "The ImagingStudy's timeline point kept changing while this instance was recorded");
  }
}

/** Durations of a job's stages, in milliseconds. */
export interface StageTimings {
  readonly fetchMs: number;
  readonly prepareMs: number;
  readonly inferenceMs: number;
  readonly storeMs: number;
}

/** The result is out: metrics, the completion log line and the wake-up of synchronous requests. */
export function reportCompleted(context: ScoringContext, model: ScoreModel, task: StoredTask, result: ScoringResult, timings: StageTimings, durationMs: number, logger: Logger): void {
  const observe = context.observeStage;
  if (observe) {
    observe('fetch', timings.fetchMs);
    observe('prepare', timings.prepareMs);
    observe('inference', timings.inferenceMs);
    observe('store', timings.storeMs);
  }
  logger.info(
    { observationId: result.ids.observationId, modelVersion: result.model.version, executionProvider: model.executionProvider, ...timings, durationMs, device: deviceIdFor(result.model) },
    'scoring completed',
  );
  context.completions.notify(task.id);
}

/**
 * Explanations come after the result is out: the 7 overlays cost more CPU than the rest of the job
 * and nobody waits for them. The report gains its media in a second write (a new version).
 */
export async function explainPublished(context: ScoringContext, result: ScoringResult, prepared: PreparedRadiograph, output: ModelOutput, logger: Logger): Promise<void> {
  const explanation = await explainResult(
    context.explanations,
    { observationId: result.ids.observationId, patientId: result.patientId, radiograph: prepared.decoded.image, scoring: output, output, created: result.issued, model: result.model },
    logger,
  );
  if (explanation) await attachExplanations(context, { ...result.report, media: explanation.reportMedia }, explanation.resources, logger);
}
