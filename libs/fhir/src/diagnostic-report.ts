import type * as fhir4 from 'fhir/r4';
import { AppError, ZONES, globalScore, isZoneScore, type BrixiaScoring, type ModelIdentity } from '@brixia/common';
import { aiastSecurity } from './ai-transparency';
import { BRIXIA_CODES, brixiaCoding } from './brixia-code-system';
import type { FhirConfig } from './config';
import { assertDateTime, assertFhirId, assertInstant, referenceTo } from './primitives';

export interface DiagnosticReportInput {
  readonly id: string;
  readonly observationId: string;
  readonly scoring: BrixiaScoring;
  readonly patientId: string;
  /** An EHR's Patient by absolute URL plus identifier, as on the Observation; `Patient/<patientId>` otherwise. */
  readonly subject?: fhir4.Reference;
  readonly imagingStudyId?: string;
  readonly effectiveDateTime: string;
  readonly issued: string;
  readonly model: ModelIdentity;
  readonly status: 'preliminary' | 'final' | 'amended';
}

/** LOINC LP29684-5 "Radiology" as DiagnosticReport.category (docs/fhir-profile.md; US Core uses the same part code). */
const RADIOLOGY_CATEGORY: fhir4.Coding = { system: 'http://loinc.org', code: 'LP29684-5', display: 'Radiology' };

/** "AI Brixia 9/18: A2 B1 C2 D1 E1 F2" — global first, then zones A–F in order. */
export function brixiaConclusion(scoring: BrixiaScoring): string {
  for (const zone of ZONES) {
    if (!isZoneScore(scoring.zones[zone])) throw new AppError('INTERNAL', `Zone ${zone} score must be an integer 0–3`);
  }
  if (scoring.global !== globalScore(scoring.zones)) throw new AppError('INTERNAL', 'The global Brixia score must equal the sum of the six zone scores');
  return `AI Brixia ${scoring.global}/18: ${ZONES.map((zone) => `${zone}${scoring.zones[zone]}`).join(' ')}`;
}

function escapeXhtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The report for EHRs that ingest reports only (docs/fhir-profile.md): result → the Observation, imagingStudy →
 * the study, category Radiology, conclusion "AI Brixia g/18: A… F…". R4 DiagnosticReport cannot
 * reference a Device, so the narrative names the model (version and ONNX hash) and the
 * research-use caveat; the Provenance links the Device formally.
 */
export function buildDiagnosticReport(config: FhirConfig, input: DiagnosticReportInput): fhir4.DiagnosticReport {
  const conclusion = brixiaConclusion(input.scoring);
  const modelLine = `Model: ${input.model.name} ${input.model.version} (ONNX SHA-256 ${input.model.sha256}).`;
  const div =
    '<div xmlns="http://www.w3.org/1999/xhtml">' +
    `<p>${escapeXhtml(conclusion)}</p>` +
    `<p>${escapeXhtml(modelLine)}</p>` +
    '<p>Automated score by an AI model; research use only, not for diagnosis.</p>' +
    '</div>';
  return {
    resourceType: 'DiagnosticReport',
    id: assertFhirId(input.id, 'DiagnosticReport id'),
    meta: { security: [aiastSecurity()] },
    text: { status: 'generated', div },
    status: input.status,
    category: [{ coding: [{ ...RADIOLOGY_CATEGORY }] }],
    // The local code says what the report is; LOINC 18748-4 (Diagnostic imaging study) lets EHRs file it as an imaging report.
    code: { coding: [brixiaCoding(config, BRIXIA_CODES.global), { system: 'http://loinc.org', code: '18748-4', display: 'Diagnostic imaging study' }], text: 'AI Brixia score report' },
    subject: input.subject ? { ...input.subject } : referenceTo('Patient', input.patientId),
    effectiveDateTime: assertDateTime(input.effectiveDateTime, 'effectiveDateTime'),
    issued: assertInstant(input.issued, 'issued'),
    ...(input.imagingStudyId !== undefined ? { imagingStudy: [referenceTo('ImagingStudy', input.imagingStudyId)] } : {}),
    result: [referenceTo('Observation', input.observationId)],
    conclusion,
  };
}
