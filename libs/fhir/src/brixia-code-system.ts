import type * as fhir4 from 'fhir/r4';
import { ZONES, type Zone } from '@brixia/common';
import { canonical, type FhirConfig } from './config';

/**
 * Codes of the project's CodeSystem. Brixia has no LOINC, SNOMED CT or RadElement code
 * (docs/fhir-profile.md), so the project defines its own and serves it at its canonical URL.
 */
export const BRIXIA_CODES: {
  readonly global: 'global';
  readonly zone: (zone: Zone) => string;
  readonly methodAutomated: 'bsnet-automated';
  readonly methodRadiologist: 'radiologist';
} = Object.freeze({
  global: 'global',
  zone: (zone: Zone): string => `zone-${zone}`,
  methodAutomated: 'bsnet-automated',
  methodRadiologist: 'radiologist',
});

/** The Task.code of a `$brixia-score` request. */
export const SCORING_REQUEST_CODE = 'brixia-score-request';

export type BrixiaMethod = typeof BRIXIA_CODES.methodAutomated | typeof BRIXIA_CODES.methodRadiologist;

/** `${canonicalBase}/CodeSystem/brixia-score`. */
export function brixiaCodeSystemUrl(config: FhirConfig): string {
  return `${canonical(config)}/CodeSystem/brixia-score`;
}

/** Version of the CodeSystem content; bump when concepts change. */
export const BRIXIA_CODE_SYSTEM_VERSION = '1.0.0';

// Zone anatomy per Borghesi & Maroldi 2020 (Signoroni et al. 2021): A–C right lung, D–F left lung,
// split by the inferior wall of the aortic arch and of the right inferior pulmonary vein.
const ZONE_TEXT: Readonly<Record<Zone, { display: string; definition: string }>> = {
  A: { display: 'Brixia zone A (right upper)', definition: 'Right lung, upper zone: above the inferior wall of the aortic arch.' },
  B: { display: 'Brixia zone B (right middle)', definition: 'Right lung, middle zone: between the inferior walls of the aortic arch and of the right inferior pulmonary vein.' },
  C: { display: 'Brixia zone C (right lower)', definition: 'Right lung, lower zone: below the inferior wall of the right inferior pulmonary vein.' },
  D: { display: 'Brixia zone D (left upper)', definition: 'Left lung, upper zone: above the inferior wall of the aortic arch.' },
  E: { display: 'Brixia zone E (left middle)', definition: 'Left lung, middle zone: between the inferior walls of the aortic arch and of the right inferior pulmonary vein.' },
  F: { display: 'Brixia zone F (left lower)', definition: 'Left lung, lower zone: below the inferior wall of the right inferior pulmonary vein.' },
};

const ZONE_SCALE =
  ' Scored 0 (no lung abnormality), 1 (interstitial infiltrates), 2 (interstitial and alveolar infiltrates, interstitial predominant) or 3 (interstitial and alveolar infiltrates, alveolar predominant).';

const DISPLAY = {
  global: 'Brixia score (global)',
  methodAutomated: 'BS-Net automated scoring',
  methodRadiologist: 'Scored by a radiologist',
  scoringRequest: 'Brixia scoring request ($brixia-score)',
} as const;

/** A Coding from the Brixia CodeSystem. */
export function brixiaCoding(config: FhirConfig, code: string): fhir4.Coding {
  return { system: brixiaCodeSystemUrl(config), code, display: displayOf(code) };
}

function displayOf(code: string): string | undefined {
  if (code === BRIXIA_CODES.global) return DISPLAY.global;
  if (code === BRIXIA_CODES.methodAutomated) return DISPLAY.methodAutomated;
  if (code === BRIXIA_CODES.methodRadiologist) return DISPLAY.methodRadiologist;
  if (code === SCORING_REQUEST_CODE) return DISPLAY.scoringRequest;
  const zone = ZONES.find((z) => BRIXIA_CODES.zone(z) === code);
  return zone ? ZONE_TEXT[zone].display : undefined;
}

/** The zone a component code names, or undefined. */
export function zoneOfCode(code: string | undefined): Zone | undefined {
  return ZONES.find((zone) => BRIXIA_CODES.zone(zone) === code);
}

/**
 * The project's CodeSystem (id `brixia-score`): global score, zones A–F, scoring methods, and the
 * scoring-request code used as Task.code.
 */
export function brixiaCodeSystem(config: FhirConfig): fhir4.CodeSystem {
  const concept: fhir4.CodeSystemConcept[] = [
    {
      code: BRIXIA_CODES.global,
      display: DISPLAY.global,
      definition: 'Brixia chest radiograph severity score for COVID-19 pneumonia: the sum of the six zone scores, 0–18.',
    },
    ...ZONES.map((zone) => ({ code: BRIXIA_CODES.zone(zone), display: ZONE_TEXT[zone].display, definition: ZONE_TEXT[zone].definition + ZONE_SCALE })),
    {
      code: BRIXIA_CODES.methodAutomated,
      display: DISPLAY.methodAutomated,
      definition: 'Scored automatically by the BS-Net deep-learning model (Signoroni et al. 2021) on a frontal chest radiograph.',
    },
    { code: BRIXIA_CODES.methodRadiologist, display: DISPLAY.methodRadiologist, definition: 'Scored or confirmed by a radiologist.' },
    { code: SCORING_REQUEST_CODE, display: DISPLAY.scoringRequest, definition: 'A request to score one frontal chest radiograph with the $brixia-score operation.' },
  ];
  return {
    resourceType: 'CodeSystem',
    id: 'brixia-score',
    url: brixiaCodeSystemUrl(config),
    version: BRIXIA_CODE_SYSTEM_VERSION,
    name: 'BrixiaScore',
    title: 'Brixia chest radiograph score',
    status: 'active',
    experimental: false,
    publisher: 'Brixia FHIR service',
    description:
      'Codes for the Brixia score of COVID-19 pneumonia severity on frontal chest radiographs (Borghesi & Maroldi, Radiol Med 2020): ' +
      'global score 0–18, six lung zones A–F scored 0–3, and how the score was obtained. ' +
      'No LOINC, SNOMED CT or RadElement code exists for the Brixia score.',
    caseSensitive: true,
    content: 'complete',
    count: concept.length,
    concept,
  };
}
