import { FHIR_ID_PATTERN } from '../config';
import type { SearchCriterion } from './search-criteria';

/**
 * Where each patient-data type served here names its patient (the part of the R4 Patient
 * CompartmentDefinition this service serves): the element whose reference is `Patient/<id>` or an
 * EHR's Patient by absolute URL.
 */
const PATIENT_ELEMENT: Readonly<Record<string, string>> = {
  Observation: 'subject',
  DiagnosticReport: 'subject',
  ImagingStudy: 'subject',
  Media: 'subject',
  Task: 'for',
  Binary: 'securityContext',
};

/** Patient data that names no patient of its own (a Provenance names its targets): no patient-scoped token sees it. */
const PATIENT_DATA_WITHOUT_PATIENT = new Set(['Provenance']);

/**
 * The criterion that holds a search or history of `resourceType` to one patient's compartment (what a
 * patient-scoped token may see), applied in the query so pages and totals count only what is shown.
 * Patient: its own id; patient data naming no patient: nothing; undefined for types that are not
 * patient data (Device, CodeSystem), which any token with the scope sees.
 */
export function patientCompartmentCriterion(resourceType: string, patientId: string): SearchCriterion | undefined {
  const nothing: SearchCriterion = { kind: 'id', ids: [] };
  const element = PATIENT_ELEMENT[resourceType];
  if (resourceType !== 'Patient' && !element) return PATIENT_DATA_WITHOUT_PATIENT.has(resourceType) ? nothing : undefined;
  if (!FHIR_ID_PATTERN.test(patientId)) return nothing;
  return resourceType === 'Patient' ? { kind: 'id', ids: [patientId] } : { kind: 'patient', element, patientId };
}
