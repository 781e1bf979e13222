import type * as fhir4 from 'fhir/r4';

/**
 * Conventions borrowed from HL7 "AI Transparency on FHIR" (R4, STU1 ballot,
 * http://hl7.org/fhir/uv/aitransparency/): AI-asserted data carries the security label
 * v3-ObservationValue#AIAST, the AI is a Device typed "Artificial-Intelligence", and an element's
 * confidence may be given with the AIconfidence extension.
 */

/** `meta.security` label for AI-asserted data (terminology.hl7.org v3-ObservationValue). */
export const AIAST_SECURITY: fhir4.Coding = Object.freeze({
  system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue',
  code: 'AIAST',
  display: 'Artificial Intelligence asserted',
});

/** Device.type required by the IG's AI-Device profile. */
export const AI_DEVICE_TYPE: fhir4.Coding = Object.freeze({
  system: 'http://hl7.org/fhir/uv/aitransparency/CodeSystem/AIdeviceTypeCS',
  code: 'Artificial-Intelligence',
  display: 'All kinds of Artificial Intelligence',
});

/**
 * The IG's AIconfidence extension: one value, the confidence the AI has in the result of the
 * element it is attached to (valueDecimal = probability 0–1). Ballot URL; it may move when the IG
 * is published.
 */
export const AI_CONFIDENCE_EXTENSION_URL = 'http://hl7.org/fhir/uv/aitransparency/StructureDefinition/AIconfidence';

/** A fresh copy, so callers can never mutate the shared constant through a resource. */
export function aiastSecurity(): fhir4.Coding {
  return { ...AIAST_SECURITY };
}
