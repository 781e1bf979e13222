import { toAppError, type Logger, type ModelIdentity, type Zone, type ZoneScore } from '@brixia/common';
import type { GreyImage } from '@brixia/imaging';
import type { ModelOutput, ScoreModel } from '@brixia/inference';

/** What an explanation renderer needs about one scored radiograph. */
export interface ExplanationRenderInput {
  readonly observationId: string;
  readonly patientId: string;
  /** The Observation's subject (an EHR's Patient by absolute URL plus identifier): the images carry it too. */
  readonly subject?: fhir4.Reference;
  readonly radiograph: GreyImage;
  readonly scoring: { readonly zones: Readonly<Record<Zone, ZoneScore>> };
  readonly zoneCams: NonNullable<ModelOutput['zoneCams']>;
  readonly alignment: readonly number[];
  readonly created: string;
  readonly model: ModelIdentity;
}

/** What occlusion maps need: the model input, the scorer, and where to file the images. */
export interface OcclusionRenderInput {
  readonly observationId: string;
  readonly patientId: string;
  /** As ExplanationRenderInput.subject. */
  readonly subject?: fhir4.Reference;
  readonly radiograph: GreyImage;
  /** The preprocessed model input (512², bsnet-v1). */
  readonly input: Float32Array;
  readonly predicted: Readonly<Record<Zone, ZoneScore>>;
  readonly scorer: Pick<ScoreModel, 'score'>;
  readonly segments: number;
  readonly created: string;
  readonly model: ModelIdentity;
  /** Progress of the occluded model runs, `done` of `total` super-pixels. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RenderedExplanations {
  readonly resources: readonly fhir4.FhirResource[];
  readonly reportMedia: readonly fhir4.DiagnosticReportMedia[];
  readonly durationMs: number;
}

/** Port: renders explanation images (monitoring's heat-map and occlusion overlays) as FHIR resources. */
export interface ExplanationRenderer {
  render(input: ExplanationRenderInput): Promise<RenderedExplanations>;
  /** Super-pixel occlusion maps: one model run per super-pixel (slow on CPU). */
  renderOcclusion?(input: OcclusionRenderInput): Promise<RenderedExplanations & { readonly forwardPasses: number; readonly segments: number }>;
}

/**
 * Explanation images of a result, or undefined when none are configured or the model returned no
 * CAMs. A rendering failure never fails the scoring: the result is published without images.
 */
export async function explainResult(
  renderer: ExplanationRenderer | undefined,
  input: Omit<ExplanationRenderInput, 'zoneCams' | 'alignment'> & { output: Pick<ModelOutput, 'zoneCams' | 'alignment'> },
  logger: Logger,
): Promise<{ resources: readonly fhir4.FhirResource[]; reportMedia: fhir4.DiagnosticReportMedia[] } | undefined> {
  const { output, ...rest } = input;
  if (!renderer || !output.zoneCams || !output.alignment) return undefined;
  try {
    const rendered = await renderer.render({ ...rest, zoneCams: output.zoneCams, alignment: output.alignment });
    logger.info({ observationId: input.observationId, images: rendered.reportMedia.length, durationMs: Math.round(rendered.durationMs) }, 'explanations rendered');
    return { resources: rendered.resources, reportMedia: [...rendered.reportMedia] };
  } catch (error) {
    logger.warn({ observationId: input.observationId, code: toAppError(error).code, err: error instanceof Error ? error.message : String(error) }, 'explanations failed; result published without them');
    return undefined;
  }
}
