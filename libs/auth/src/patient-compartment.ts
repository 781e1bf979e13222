import type { Principal } from './principal';
import { seesPatient } from './principal';

/** Resource types that hold one patient's data here (FHIR Patient compartment, as far as this service serves it). */
const PATIENT_DATA = new Set(['Patient', 'Observation', 'DiagnosticReport', 'ImagingStudy', 'Media', 'Binary', 'Task', 'Provenance']);

interface ReferenceLike {
  readonly reference?: string;
}

function patientIn(reference: ReferenceLike | undefined): string | undefined {
  return reference?.reference ? /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference.reference)?.[1] : undefined;
}

/**
 * The patient a stored resource belongs to: Patient.id, subject, for (Task), patient, or a Binary's
 * securityContext. Undefined when it names none.
 */
export function patientOfResource(resource: { readonly resourceType: string; readonly id?: string } & Record<string, unknown>): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  for (const element of ['subject', 'for', 'patient', 'securityContext']) {
    const found = patientIn(resource[element] as ReferenceLike | undefined);
    if (found) return found;
  }
  return undefined;
}

/**
 * Whether the principal may see the resource: a patient-scoped token sees patient data only of its
 * patient (patient data naming no patient is hidden from it); resources that are not patient data
 * (Device, CodeSystem, OperationDefinition) are visible to any token with the scope.
 */
export function resourceVisibleTo(principal: Principal, resource: { readonly resourceType: string; readonly id?: string } & Record<string, unknown>): boolean {
  if (principal.patient === undefined || !PATIENT_DATA.has(resource.resourceType)) return true;
  return seesPatient(principal, patientOfResource(resource));
}
