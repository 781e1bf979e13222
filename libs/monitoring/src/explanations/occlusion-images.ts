import { ZONES, type ModelIdentity } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import { renderOverlaySet, type ExplanationImages } from './explanation-images';
import { maxHeatMap, resampleHeatMap, type OcclusionResult } from './occlusion';
import type { GreyRaster } from './overlay-renderer';

/**
 * Occlusion maps as overlays (all zones + A–F), FHIR Binary + Media like the CAM overlays, with
 * their own identifier parts (`occlusion-…`) so both kinds can hang off one report.
 */
export async function renderOcclusionImages(
  config: FhirConfig,
  request: { observationId: string; patientId: string; subject?: fhir4.Reference; radiograph: GreyRaster; occlusion: OcclusionResult; created: string; model: ModelIdentity },
): Promise<ExplanationImages> {
  return renderOverlaySet(
    config,
    request,
    (zone, display) => resampleHeatMap(zone ? request.occlusion.maps[zone] : maxHeatMap(ZONES.map((z) => request.occlusion.maps[z])), display.width, display.height),
    { partPrefix: 'occlusion-', method: 'occlusion' },
  );
}
