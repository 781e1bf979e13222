import { createHash } from 'node:crypto';
import { ZONES, type BrixiaScoring, type ModelIdentity, type Zone } from '@brixia/common';
import { buildExplanationImage, type FhirConfig } from '@brixia/fhir';
import { displayRaster, renderOverlayPng, type GreyRaster } from './overlay-renderer';
import { zoneHeatMap, type HeatMap, type ZoneCamTensor } from './zone-heatmap';

export interface ExplanationRequest {
  readonly observationId: string;
  readonly patientId: string;
  /** The Observation's subject when it is not `Patient/<patientId>` (an EHR's Patient): the images carry it too. */
  readonly subject?: fhir4.Reference;
  readonly radiograph: GreyRaster;
  readonly scoring: Pick<BrixiaScoring, 'zones'>;
  readonly zoneCams: ZoneCamTensor;
  readonly alignment: readonly number[];
  readonly created: string;
  readonly model: ModelIdentity;
}

export interface ExplanationImages {
  /** Binary + Media resources to store and serve. */
  readonly resources: Array<fhir4.Binary | fhir4.Media>;
  /** DiagnosticReport.media entries linking them. */
  readonly reportMedia: fhir4.DiagnosticReportMedia[];
  /** CPU time spent rendering (heat maps + PNG encoding), ms. */
  readonly durationMs: number;
}

/** Ids derived from the Observation, so re-processing writes the same resources. */
function derivedId(prefix: string, observationId: string, part: string): string {
  return `${prefix}-${createHash('sha256').update(`${observationId}/${part}`).digest('hex').slice(0, 32)}`;
}

/** Who an overlay set belongs to, and how it was made. */
export interface OverlaySetOwner {
  readonly observationId: string;
  readonly patientId: string;
  readonly subject?: fhir4.Reference;
  readonly radiograph: GreyRaster;
  readonly created: string;
  readonly model: ModelIdentity;
}

/**
 * The seven overlays of one result (all zones, then A–F) as PNG Binary + Media with report links:
 * `heatFor` gives each one's heat map at display size; `partPrefix` keeps kinds apart on one report.
 * Shared by the CAM and the occlusion explanations.
 */
export async function renderOverlaySet(
  config: FhirConfig,
  owner: OverlaySetOwner,
  heatFor: (zone: Zone | null, display: GreyRaster) => HeatMap,
  options: { readonly partPrefix?: string; readonly method?: 'occlusion' } = {},
): Promise<ExplanationImages> {
  const started = performance.now();
  const display = await displayRaster(owner.radiograph);
  const resources: Array<fhir4.Binary | fhir4.Media> = [];
  const reportMedia: fhir4.DiagnosticReportMedia[] = [];
  for (const zone of [null, ...ZONES] as Array<Zone | null>) {
    const part = `${options.partPrefix ?? ''}${zone ? `zone-${zone}` : 'all'}`;
    const png = await renderOverlayPng(display, heatFor(zone, display));
    const built = buildExplanationImage(config, {
      mediaId: derivedId('media', owner.observationId, part),
      binaryId: derivedId('bin', owner.observationId, part),
      observationId: owner.observationId,
      patientId: owner.patientId,
      ...(owner.subject ? { subject: owner.subject } : {}),
      zone,
      png,
      width: display.width,
      height: display.height,
      created: owner.created,
      model: owner.model,
      ...(options.method ? { method: options.method } : {}),
    });
    resources.push(built.binary, built.media);
    reportMedia.push(built.reportMedia);
  }
  return { resources, reportMedia, durationMs: performance.now() - started };
}

/**
 * Renders the explanation overlays of one result: all zones together, then each zone A–F alone,
 * each the predicted-score CAM placed in its box and warped back with θ⁻¹ (zoneHeatMap) over the
 * radiograph, as PNG; returned as FHIR Binary + Media with the report's media links.
 */
export async function renderExplanationImages(config: FhirConfig, request: ExplanationRequest): Promise<ExplanationImages> {
  return renderOverlaySet(config, request, (zone, display) =>
    zoneHeatMap(request.zoneCams, request.alignment, request.scoring.zones, display, zone ? [zone] : ZONES),
  );
}
