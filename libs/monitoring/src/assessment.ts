import { AppError, type Zone, type ZoneScore } from '@brixia/common';
import { FHIR_ID_PATTERN } from '@brixia/fhir';
import type { BrixiaResultRecord, BrixiaReviewRecord, ScoringTaskRecord, StoredResource } from '@brixia/persistence';
import { RADIOLOGIST_METHOD } from './timeline';
import { zoneBoxesInImage, type ImagePoint } from './explanations/zone-heatmap';

/** An explanation image published for a result (Media → Binary). */
export interface ExplanationImageRef {
  readonly mediaId: string;
  /** Class-activation heat map, or super-pixel occlusion map. */
  readonly kind: 'zone-heatmap-overlay' | 'occlusion-overlay';
  /** Zone A–F, or null for the overlay of all six zones. */
  readonly zone: string | null;
  readonly url: string;
  readonly contentType: string;
}

/** One scoring of one radiograph with everything published about it. */
export interface AssessmentView {
  readonly result: BrixiaResultRecord;
  readonly task: ScoringTaskRecord | null;
  readonly observation: StoredResource;
  readonly diagnosticReport: StoredResource | null;
  readonly explanationImages: readonly ExplanationImageRef[];
  /** What the model asserted, whatever a clinician changed since; null for a radiologist-entered score. */
  readonly aiScore: AiScore | null;
  /** The six zone boxes on the radiograph (fractions of its width and height); empty when θ was not kept. */
  readonly zoneBoxes: ReadonlyArray<{ readonly zone: Zone; readonly corners: readonly ImagePoint[] }>;
}

/** The model's own global and zone scores of a result. */
export interface AiScore {
  readonly global: number;
  readonly zones: Readonly<Record<Zone, ZoneScore>>;
}

/** What reading an assessment needs (MonitoringStore + ScoringStore methods). */
export interface AssessmentSources {
  findResult(id: string): Promise<BrixiaResultRecord | null>;
  findTask(id: string): Promise<ScoringTaskRecord | null>;
  findStoredResources(resourceType: string, ids: readonly string[]): Promise<StoredResource[]>;
  /** The result's reviews, oldest first. */
  findReviews(resultId: string): Promise<BrixiaReviewRecord[]>;
}

/**
 * The AI values of a result: its own values until a clinician overrides them (a confirmation keeps them),
 * then the values the first override replaced — the same rule as the timeline's aiGlobal/aiScore.
 */
export function aiScoreOf(result: Pick<BrixiaResultRecord, 'method' | 'status' | 'globalScore' | 'zoneScores'>, reviews: readonly Pick<BrixiaReviewRecord, 'action' | 'previousGlobal' | 'previousZoneScores'>[]): AiScore | null {
  if (result.method === RADIOLOGIST_METHOD) return null;
  const override = reviews.find((review) => review.action === 'override');
  if (override && (result.status === 'amended' || result.status === 'corrected')) return { global: override.previousGlobal, zones: { ...override.previousZoneScores } };
  return { global: result.globalScore, zones: { ...result.zoneScores } };
}

/** Identifier system of explanation Media: value `<observation id>/zone-<Z>` or `<observation id>/all`. */
export const EXPLANATION_IDENTIFIER_SUFFIX = '/identifiers/brixia-explanation';

/** Reads an assessment by Observation id or by Task id; unknown ids are RESOURCE.NOT_FOUND. */
export async function readAssessment(sources: AssessmentSources, by: { observationId?: string; taskId?: string }): Promise<AssessmentView> {
  let task: ScoringTaskRecord | null = null;
  let observationId = by.observationId;
  if (observationId === undefined) {
    if (by.taskId === undefined) throw new AppError('REQUEST.INVALID', 'Give observationId or taskId', { expression: ['observationId'] });
    // An id outside the FHIR id grammar names nothing (and PostgreSQL rejects NUL in text: a 500).
    task = FHIR_ID_PATTERN.test(by.taskId) ? await sources.findTask(by.taskId) : null;
    if (!task) throw new AppError('RESOURCE.NOT_FOUND', `Task/${by.taskId} is not known`);
    if (!task.observationId) throw new AppError('RESOURCE.NOT_FOUND', `Task/${by.taskId} has no result (status ${task.status})`);
    observationId = task.observationId;
  }
  const result = FHIR_ID_PATTERN.test(observationId) ? await sources.findResult(observationId) : null;
  if (!result) throw new AppError('RESOURCE.NOT_FOUND', `Observation/${observationId} is not known`);
  if (!task && result.taskId) task = await sources.findTask(result.taskId);
  const [observation] = await sources.findStoredResources('Observation', [result.id]);
  if (!observation) throw new AppError('RESOURCE.NOT_FOUND', `Observation/${observationId} has no published resource`);
  const reportId = task?.diagnosticReportId ?? null;
  const [diagnosticReport] = reportId ? await sources.findStoredResources('DiagnosticReport', [reportId]) : [];
  const mediaIds = ((diagnosticReport?.resource as fhir4.DiagnosticReport | undefined)?.media ?? []).flatMap((media) => {
    const match = /^Media\/([A-Za-z0-9\-.]{1,64})$/.exec(media.link.reference ?? '');
    return match ? [match[1]] : [];
  });
  const media = await sources.findStoredResources('Media', mediaIds);
  const reviews = result.status === 'amended' || result.status === 'corrected' ? await sources.findReviews(result.id) : [];
  return {
    result,
    task,
    observation,
    diagnosticReport: diagnosticReport ?? null,
    explanationImages: media.flatMap((row) => explanationOf(row.resource as fhir4.Media)),
    aiScore: aiScoreOf(result, reviews),
    zoneBoxes: result.alignment ? zoneBoxesInImage(result.alignment) : [],
  };
}

function explanationOf(media: fhir4.Media): ExplanationImageRef[] {
  const identifier = media.identifier?.find((id) => id.system?.endsWith(EXPLANATION_IDENTIFIER_SUFFIX));
  if (!identifier?.value || !media.id || !media.content.url) return [];
  const whole = identifier.value.split('/').pop() ?? '';
  const occlusion = whole.startsWith('occlusion-');
  const part = occlusion ? whole.slice('occlusion-'.length) : whole;
  return [
    {
      mediaId: media.id,
      kind: occlusion ? 'occlusion-overlay' : 'zone-heatmap-overlay',
      zone: part.startsWith('zone-') ? part.slice('zone-'.length) : null,
      url: media.content.url,
      contentType: media.content.contentType ?? 'image/png',
    },
  ];
}
