import { CHEST_PLAUSIBILITY, type LungMaskEvidence } from '@brixia/inference';

/**
 * How good a view of the chest one instance of an ImagingStudy is, from what scoring already measured: the
 * DICOM ViewPosition (0018,5101), the model's own lung mask and alignment θ (the evidence the input gate
 * judges, libs/inference chest-plausibility) and the image's resolution. Stored with the result so that a
 * later instance of the same study can be ranked against it (docs/fhir-profile.md, "One timeline point
 * per ImagingStudy").
 */
export interface InstanceQuality {
  /** PA or AP; null when the header does not say (PNG/JPEG, or ViewPosition absent). */
  readonly viewPosition: 'PA' | 'AP' | null;
  /** 0–1: how clearly the model sees two lungs, framed (mean of confidence, balance and straightness below). */
  readonly lungEvidence: number;
  /** The short side of the image in pixels. */
  readonly shortSidePx: number;
}

/**
 * Differences smaller than this in lungEvidence are noise (the same chest scored twice from two exports
 * differs by a few hundredths), so they never displace a point.
 */
export const LUNG_EVIDENCE_MARGIN = 0.1;
/** BS-Net sees 512×512 (docs/model-contract.md): pixels beyond that short side add nothing the model uses. */
export const MODEL_INPUT_SIDE_PX = 512;

const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * The quality of an instance that passed the input gate. lungEvidence averages three things the gate
 * also checks, each 0–1 with 0 at the gate's threshold: the mask's confidence (mean probability above
 * the 0.85 threshold), the balance of the two lung regions (smaller/larger; 0 for lungs the mask joins
 * into one region, which passes the gate but shows no separation) and how straight θ frames them
 * (rotation/shear, 0 at the gate's 0.3).
 */
export function instanceQualityOf(input: { readonly viewPosition?: string | null; readonly width: number; readonly height: number; readonly lungMask: LungMaskEvidence }): InstanceQuality {
  const view = input.viewPosition?.trim().toUpperCase();
  const { lungMask } = input;
  const confidence = clamp01((lungMask.meanLungProbability - CHEST_PLAUSIBILITY.minMeanLungProbability) / (1 - CHEST_PLAUSIBILITY.minMeanLungProbability));
  const [first, second] = lungMask.components;
  const balance = first && second && first.areaFraction > 0 ? clamp01(second.areaFraction / first.areaFraction) : 0;
  const [, b = 0, , c = 0] = lungMask.alignment;
  const straightness = clamp01(1 - Math.max(Math.abs(b), Math.abs(c)) / CHEST_PLAUSIBILITY.maxAlignmentShear);
  return {
    viewPosition: view === 'PA' || view === 'AP' ? view : null,
    lungEvidence: round3((confidence + balance + straightness) / 3),
    shortSidePx: Math.min(input.width, input.height),
  };
}

/** PA is the reference projection for the Brixia score (Borghesi & Maroldi 2020); AP (bedside) magnifies the heart. */
function viewRank(view: InstanceQuality['viewPosition']): number {
  return view === 'PA' ? 2 : view === null ? 1 : 0;
}

/**
 * Why `candidate` is a better view of the study than `incumbent`, or null when it is not. Criteria in
 * order, the first that differs decides: projection (PA over unknown over AP); lung evidence, when it
 * differs by more than LUNG_EVIDENCE_MARGIN; resolution up to the model's 512-px input. Ties and small
 * differences keep the incumbent, so a point never flips back and forth between near-equal instances.
 */
export function betterInstance(candidate: InstanceQuality, incumbent: InstanceQuality): string | null {
  const [cv, iv] = [viewRank(candidate.viewPosition), viewRank(incumbent.viewPosition)];
  if (cv !== iv) return cv > iv ? `${label(candidate.viewPosition)} view over ${label(incumbent.viewPosition)}` : null;
  const evidence = candidate.lungEvidence - incumbent.lungEvidence;
  if (Math.abs(evidence) > LUNG_EVIDENCE_MARGIN) return evidence > 0 ? `lung evidence ${candidate.lungEvidence.toFixed(2)} over ${incumbent.lungEvidence.toFixed(2)}` : null;
  const [cr, ir] = [Math.min(candidate.shortSidePx, MODEL_INPUT_SIDE_PX), Math.min(incumbent.shortSidePx, MODEL_INPUT_SIDE_PX)];
  if (cr !== ir) return cr > ir ? `resolution ${candidate.shortSidePx} px over ${incumbent.shortSidePx} px (short side)` : null;
  return null;
}

function label(view: InstanceQuality['viewPosition']): string {
  return view ?? 'unlabelled';
}

/** The study's current timeline point, as ranking needs it. */
export interface StudyPoint {
  readonly observationId: string;
  /** Its quality; null for a point recorded before instances were ranked. */
  readonly quality: InstanceQuality | null;
  /** A clinician reviewed it (status no longer preliminary). */
  readonly reviewed: boolean;
}

/** What becomes of a newly scored instance of a study. */
export type StudyPointDecision =
  | { readonly kind: 'point' }
  | { readonly kind: 'supersede'; readonly observationId: string; readonly reason: string }
  | { readonly kind: 'skip'; readonly observationId: string; readonly reason: string };

/**
 * A decision that needs no score of the candidate: its study's point is kept whatever the candidate
 * shows when a clinician reviewed it (a review is never displaced by a machine) or when it predates
 * ranking (nothing to compare with). Null: the candidate must be scored and ranked.
 */
export function decisionBeforeScoring(point: StudyPoint | null): StudyPointDecision | null {
  if (!point) return null;
  if (point.reviewed) return { kind: 'skip', observationId: point.observationId, reason: skipReason('its timeline point was reviewed by a clinician, and a review is never displaced') };
  if (!point.quality) return { kind: 'skip', observationId: point.observationId, reason: skipReason('its timeline point was recorded before instances were ranked') };
  return null;
}

/** Where a scored candidate goes: the study's first point, the new point (the old one superseded), or skipped. */
export function decideStudyPoint(candidate: InstanceQuality, point: StudyPoint | null): StudyPointDecision {
  if (!point) return { kind: 'point' };
  const early = decisionBeforeScoring(point);
  if (early) return early;
  const why = betterInstance(candidate, point.quality as InstanceQuality);
  if (why) return { kind: 'supersede', observationId: point.observationId, reason: `Superseded as the timeline point of its ImagingStudy by a better instance (${why}); this result stays valid for its own instance` };
  return { kind: 'skip', observationId: point.observationId, reason: skipReason(`this instance is no better a view than its timeline point (${describe(candidate)} vs ${describe(point.quality as InstanceQuality)})`) };
}

function skipReason(why: string): string {
  return `Another instance of this ImagingStudy is its timeline point (one point per study and model version): ${why}; no result is recorded for this instance`;
}

function describe(quality: InstanceQuality): string {
  return `${label(quality.viewPosition)}, lung evidence ${quality.lungEvidence.toFixed(2)}, ${quality.shortSidePx} px`;
}
