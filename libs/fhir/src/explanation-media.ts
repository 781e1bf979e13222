import type * as fhir4 from 'fhir/r4';
import type { ModelIdentity, Zone } from '@brixia/common';
import { apiBase, canonical, type FhirConfig } from './config';
import { deviceIdFor } from './model-device';
import { assertDateTime, assertFhirId, referenceTo } from './primitives';

/**
 * Identifier system of explanation Media; value `<observation id>/<part>`, part `zone-<Z>` or `all`
 * for class-activation overlays, `occlusion-zone-<Z>` or `occlusion-all` for occlusion maps.
 */
export function explanationIdentifierSystem(config: FhirConfig): string {
  return `${canonical(config)}/identifiers/brixia-explanation`;
}

export interface ExplanationImageInput {
  readonly mediaId: string;
  readonly binaryId: string;
  readonly observationId: string;
  readonly patientId: string;
  /**
   * The Patient reference of the Observation explained, when it is not `Patient/<patientId>` (an EHR's
   * Patient by absolute URL plus identifier): Media.subject and Binary.securityContext carry it as is.
   */
  readonly subject?: fhir4.Reference;
  /** The zone the heat map shows, or null for all six zones. */
  readonly zone: Zone | null;
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly created: string;
  readonly model: ModelIdentity;
  /** `cam` (default): class activation maps; `occlusion`: super-pixel occlusion maps. */
  readonly method?: 'cam' | 'occlusion';
}

const MEDIA_TYPE_IMAGE: fhir4.Coding = { system: 'http://terminology.hl7.org/CodeSystem/media-type', code: 'image', display: 'Image' };

/**
 * An explanation image as FHIR (docs/fhir-profile.md: DiagnosticReport `media` → explanation overlays): a Binary
 * with the PNG and a Media that describes it (the heat map of which zone, of which Observation,
 * made by which model) and points at the Binary's URL. Returns both and the report's media entry.
 */
export function buildExplanationImage(
  config: FhirConfig,
  input: ExplanationImageInput,
): { binary: fhir4.Binary; media: fhir4.Media; reportMedia: fhir4.DiagnosticReportMedia } {
  const what = input.zone ? `Brixia zone ${input.zone}` : 'all Brixia zones';
  const occlusion = input.method === 'occlusion';
  const part = `${occlusion ? 'occlusion-' : ''}${input.zone ? `zone-${input.zone}` : 'all'}`;
  const kind = occlusion ? 'Occlusion map' : 'Heat map';
  const patient = (): fhir4.Reference => (input.subject ? { ...input.subject } : referenceTo('Patient', input.patientId));
  // securityContext: the patient whose access rules (and audit trail) the image follows (R4 Binary.securityContext).
  const binary: fhir4.Binary = {
    resourceType: 'Binary',
    id: assertFhirId(input.binaryId, 'Binary id'),
    contentType: 'image/png',
    securityContext: patient(),
    data: input.png.toString('base64'),
  };
  const media: fhir4.Media = {
    resourceType: 'Media',
    id: assertFhirId(input.mediaId, 'Media id'),
    identifier: [{ system: explanationIdentifierSystem(config), value: `${input.observationId}/${part}` }],
    partOf: [referenceTo('Observation', input.observationId)],
    status: 'completed',
    type: { coding: [{ ...MEDIA_TYPE_IMAGE }] },
    subject: patient(),
    createdDateTime: assertDateTime(input.created, 'created'),
    device: referenceTo('Device', deviceIdFor(input.model), `${input.model.name} ${input.model.version}`),
    width: input.width,
    height: input.height,
    content: { contentType: 'image/png', url: `${apiBase(config.baseUrl)}/Binary/${input.binaryId}`, title: `${kind} of ${what} over the radiograph`, size: input.png.length },
    note: [
      {
        text: occlusion
          ? `Drop of the predicted score's probability when each super-pixel is occluded (${what}); an explanation aid, not a finding.`
          : `Class activation map of the predicted score (${what}), warped back from the aligned frame; an explanation aid, not a finding.`,
      },
    ],
  };
  return { binary, media, reportMedia: { comment: `${kind}: ${what}`, link: referenceTo('Media', input.mediaId) } };
}
