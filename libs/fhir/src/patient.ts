import type * as fhir4 from 'fhir/r4';
import { canonical, type FhirConfig } from './config';
import { assertFhirId, escapeXhtml } from './primitives';

export interface LocalPatientInput {
  readonly id: string;
  /** DICOM PatientID (0010,0020), or the id given with an upload. */
  readonly patientIdentifier: string;
  /** DICOM IssuerOfPatientID (0010,0021), free text naming the assigning authority. */
  readonly issuer?: string;
}

/**
 * The identifier system of a PatientID: under its issuer when the image names one (IssuerOfPatientID
 * is free text, so it becomes a path segment of a URI we own), else our local patient-id system.
 */
export function patientIdentifierSystem(config: FhirConfig, issuer?: string): string {
  const base = `${canonical(config)}/identifiers`;
  return issuer ? `${base}/dicom-issuer/${encodeURIComponent(issuer)}` : `${base}/patient-id`;
}

/**
 * The local Patient an upload's results reference (`subject` = Patient/<id>): just its identifier
 * (no demographics: the service keeps no PHI beyond the id), so `Patient/<id>` always resolves.
 */
export function buildLocalPatient(config: FhirConfig, input: LocalPatientInput): fhir4.Patient {
  const identifier: fhir4.Identifier = {
    use: 'usual',
    system: patientIdentifierSystem(config, input.issuer),
    value: input.patientIdentifier,
    ...(input.issuer ? { assigner: { display: input.issuer } } : {}),
  };
  const label = input.issuer ? `${input.patientIdentifier} (issuer ${input.issuer})` : input.patientIdentifier;
  return {
    resourceType: 'Patient',
    id: assertFhirId(input.id, 'Patient id'),
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>Patient ${escapeXhtml(label)}</p></div>` },
    identifier: [identifier],
    active: true,
  };
}
