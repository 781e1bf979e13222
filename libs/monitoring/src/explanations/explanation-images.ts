import { createHash } from 'node:crypto';
import { ZONES, type BrixiaScoring, type ModelIdentity, type Zone } from '@brixia/common';
import { buildExplanationImage, type FhirConfig } from '@brixia/fhir';
import { displayRaster, renderOverlayPng, type GreyRaster } from './overlay-renderer';
import { zoneHeatMap, type ZoneCamTensor } from './zone-heatmap';

export interface ExplanationRequest {
  readonly observationId: string;
  readonly patientId: string;
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

/**
 * Renders the explanation overlays of one result: all zones together, then each zone A–F alone,
 * each the predicted-score CAM placed in its box and warped back with θ⁻¹ (zoneHeatMap) over the
 * radiograph, as PNG; returned as FHIR Binary + Media with the report's media links.
 */
export async function renderExplanationImages(config: FhirConfig, request: ExplanationRequest): Promise<ExplanationImages> {
  const started = performance.now();
  const display = await displayRaster(request.radiograph);
  const targets: Array<Zone | null> = [null, ...ZONES];
  const resources: Array<fhir4.Binary | fhir4.Media> = [];
  const reportMedia: fhir4.DiagnosticReportMedia[] = [];
  for (const zone of targets) {
    const part = zone ? `zone-${zone}` : 'all';
    const heat = zoneHeatMap(request.zoneCams, request.alignment, request.scoring.zones, display, zone ? [zone] : ZONES);
    const png = await renderOverlayPng(display, heat);
    const built = buildExplanationImage(config, {
      mediaId: derivedId('media', request.observationId, part),
      binaryId: derivedId('bin', request.observationId, part),
      observationId: request.observationId,
      patientId: request.patientId,
      zone,
      png,
      width: display.width,
      height: display.height,
      created: request.created,
      model: request.model,
    });
    resources.push(built.binary, built.media);
    reportMedia.push(built.reportMedia);
  }
  return { resources, reportMedia, durationMs: performance.now() - started };
}
