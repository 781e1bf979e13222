import { createHash } from 'node:crypto';
import { ZONES, type ModelIdentity, type Zone } from '@brixia/common';
import { buildExplanationImage, type FhirConfig } from '@brixia/fhir';
import type { ExplanationImages } from './explanation-images';
import { maxHeatMap, resampleHeatMap, type OcclusionResult } from './occlusion';
import { displayRaster, renderOverlayPng, type GreyRaster } from './overlay-renderer';

/**
 * Occlusion maps as overlays (all zones + A–F), FHIR Binary + Media like the CAM overlays, with
 * their own identifier parts (`occlusion-…`) so both kinds can hang off one report.
 */
export async function renderOcclusionImages(
  config: FhirConfig,
  request: { observationId: string; patientId: string; radiograph: GreyRaster; occlusion: OcclusionResult; created: string; model: ModelIdentity },
): Promise<ExplanationImages> {
  const started = performance.now();
  const display = await displayRaster(request.radiograph);
  const resources: ExplanationImages['resources'] = [];
  const reportMedia: ExplanationImages['reportMedia'] = [];
  for (const zone of [null, ...ZONES] as Array<Zone | null>) {
    const part = `occlusion-${zone ? `zone-${zone}` : 'all'}`;
    const map = zone ? request.occlusion.maps[zone] : maxHeatMap(ZONES.map((z) => request.occlusion.maps[z]));
    const png = await renderOverlayPng(display, resampleHeatMap(map, display.width, display.height));
    const id = (prefix: string): string => `${prefix}-${createHash('sha256').update(`${request.observationId}/${part}`).digest('hex').slice(0, 32)}`;
    const built = buildExplanationImage(config, {
      mediaId: id('media'),
      binaryId: id('bin'),
      observationId: request.observationId,
      patientId: request.patientId,
      zone,
      png,
      width: display.width,
      height: display.height,
      created: request.created,
      model: request.model,
      method: 'occlusion',
    });
    resources.push(built.binary, built.media);
    reportMedia.push(built.reportMedia);
  }
  return { resources, reportMedia, durationMs: performance.now() - started };
}
