import type * as fhir4 from 'fhir/r4';
import { AppError, MAX_GLOBAL_SCORE, ZONES, globalScore, isZoneScore, type BrixiaScoring, type ModelIdentity } from '@brixia/common';
import { aiastSecurity } from './ai-transparency';
import { BRIXIA_CODES, brixiaCoding, type BrixiaMethod } from './brixia-code-system';
import { dicomUidIdentifier, type FhirConfig } from './config';
import { deviceIdFor } from './model-device';
import { assertDateTime, assertFhirId, assertInstant, metaOf, referenceTo } from './primitives';
import { assertProbabilities, zoneProbabilityExtensions } from './zone-probabilities';

/** Observation.status values a Brixia result goes through (docs/fhir-profile.md). */
export type BrixiaObservationStatus = 'preliminary' | 'final' | 'amended' | 'corrected' | 'entered-in-error';

export interface BrixiaObservationInput {
  readonly id: string;
  readonly versionId?: string;
  readonly lastUpdated?: string;
  readonly scoring: BrixiaScoring;
  readonly model: ModelIdentity;
  readonly patientId: string;
  /**
   * The subject when the Patient is not ours: an EHR's Patient by absolute URL plus its identifier
   * (docs/fhir-profile.md, "Patient references"); `Patient/<patientId>` otherwise.
   */
  readonly subject?: fhir4.Reference;
  /** At least one of id (→ `ImagingStudy/<id>`) and StudyInstanceUID (→ urn:dicom:uid identifier). */
  readonly imagingStudy: { readonly id?: string; readonly studyInstanceUid?: string };
  /** Part of the identifier hash (see observationIdentifier); R4 has no element for the instance. */
  readonly sopInstanceUid?: string;
  readonly identifier: fhir4.Identifier;
  /** Acquisition time of the image, never the inference time. */
  readonly effectiveDateTime: string;
  /** Inference completion time. */
  readonly issued: string;
  readonly status: BrixiaObservationStatus;
  readonly method: BrixiaMethod;
}

const OBSERVATION_CATEGORY_IMAGING: fhir4.Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/observation-category',
  code: 'imaging',
  display: 'Imaging',
};

/**
 * SNOMED CT 74101002 "Both lungs": Brixia scores both lungs. Verified against the SNOMED CT
 * International Edition expansion (tx.fhir.org, 2024-08) published in the IHE PCC mPSC IG value
 * set Physical.Finding.of.Lung.TargetSite.VS, beside 3341006 Right lung and 44029006 Left lung.
 */
export const BOTH_LUNGS_BODY_SITE: fhir4.Coding = Object.freeze({ system: 'http://snomed.info/sct', code: '74101002', display: 'Both lungs' });

/**
 * The Observation of one scored radiograph (docs/fhir-profile.md): one coding `#global` + text "Brixia score",
 * valueInteger 0–18 with referenceRange 0–18, six components zone-A … zone-F (in that order) with
 * valueInteger 0–3, method, device, derivedFrom the ImagingStudy. An automated result (method
 * bsnet-automated) also carries meta.security AIAST, the Device reference and, per zone, the
 * AIconfidence of the asserted score plus our 4-class probability extension; a radiologist's
 * score carries none of these, as no AI asserted it.
 */
export function buildBrixiaObservation(config: FhirConfig, input: BrixiaObservationInput): fhir4.Observation {
  assertScoring(input.scoring);
  const automated = input.method === BRIXIA_CODES.methodAutomated;
  if (automated) ZONES.forEach((zone) => assertProbabilities(input.scoring.probabilities[zone], zone));
  const meta = metaOf({ versionId: input.versionId, lastUpdated: input.lastUpdated, security: automated ? [aiastSecurity()] : undefined });
  const component: fhir4.ObservationComponent[] = ZONES.map((zone) => {
    const score = input.scoring.zones[zone];
    return {
      ...(automated ? { extension: zoneProbabilityExtensions(config, input.scoring.probabilities[zone], score) } : {}),
      code: { coding: [brixiaCoding(config, BRIXIA_CODES.zone(zone))], text: `Brixia zone ${zone}` },
      valueInteger: score,
    };
  });
  return {
    resourceType: 'Observation',
    id: assertFhirId(input.id, 'Observation id'),
    ...(meta ? { meta } : {}),
    identifier: [input.identifier],
    status: input.status,
    category: [{ coding: [{ ...OBSERVATION_CATEGORY_IMAGING }] }],
    // One coding only: $lastn-style grouping by code breaks with several (docs/fhir-profile.md).
    code: { coding: [brixiaCoding(config, BRIXIA_CODES.global)], text: 'Brixia score' },
    subject: input.subject ? { ...input.subject } : referenceTo('Patient', input.patientId),
    effectiveDateTime: assertDateTime(input.effectiveDateTime, 'effectiveDateTime'),
    issued: assertInstant(input.issued, 'issued'),
    valueInteger: input.scoring.global,
    // Brixia has no official severity bands, hence no interpretation; the range states the scale.
    referenceRange: [{ low: { value: 0 }, high: { value: MAX_GLOBAL_SCORE }, text: 'Brixia score scale 0–18 (the scale, not a normal range)' }],
    bodySite: { coding: [{ ...BOTH_LUNGS_BODY_SITE }], text: 'Both lungs' },
    method: { coding: [brixiaCoding(config, input.method)] },
    // R4 Observation.performer cannot reference a Device; Observation.device can.
    ...(automated ? { device: referenceTo('Device', deviceIdFor(input.model), `${input.model.name} ${input.model.version}`) } : {}),
    derivedFrom: [imagingStudyReference(input.imagingStudy)],
    component,
  };
}

function imagingStudyReference(study: BrixiaObservationInput['imagingStudy']): fhir4.Reference {
  if (study.id === undefined && study.studyInstanceUid === undefined) {
    throw new AppError('INTERNAL', 'A Brixia Observation needs the ImagingStudy id or its StudyInstanceUID');
  }
  return {
    ...(study.id !== undefined ? referenceTo('ImagingStudy', study.id) : {}),
    type: 'ImagingStudy',
    ...(study.studyInstanceUid !== undefined ? { identifier: dicomUidIdentifier(study.studyInstanceUid) } : {}),
  };
}

/** Zone scores 0–3 and a global score that is their sum; anything else is a bug upstream. */
function assertScoring(scoring: BrixiaScoring): void {
  for (const zone of ZONES) {
    if (!isZoneScore(scoring.zones[zone])) throw new AppError('INTERNAL', `Zone ${zone} score must be an integer 0–3`);
  }
  if (scoring.global !== globalScore(scoring.zones)) {
    throw new AppError('INTERNAL', 'The global Brixia score must equal the sum of the six zone scores');
  }
}
