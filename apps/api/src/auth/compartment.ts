import { resourceVisibleTo, seesPatient, type Principal } from '@brixia/auth';
import { AppError } from '@brixia/common';

/** 404, not 403: a patient-scoped token does not learn that another patient's resource exists. */
function hidden(what: string): AppError {
  return new AppError('RESOURCE.NOT_FOUND', `${what} is not known to this service`);
}

/** Returns the resource when the principal may see it; RESOURCE.NOT_FOUND otherwise. */
export function visibleOrNotFound<T extends fhir4.FhirResource>(principal: Principal, resource: T): T {
  if (!resourceVisibleTo(principal, resource as unknown as { resourceType: string; id?: string } & Record<string, unknown>)) throw hidden(`${resource.resourceType}/${resource.id ?? ''}`);
  return resource;
}

/** RESOURCE.NOT_FOUND unless the principal sees this patient. */
export function assertSeesPatient(principal: Principal, patientId: string | undefined | null, what: string): void {
  if (!seesPatient(principal, patientId ?? undefined)) throw hidden(what);
}

/**
 * The patient a search is about, for a patient-scoped token: its own patient when the search names
 * none, `undefined` (= matches nothing) when it names another; other tokens get what they asked.
 */
export function searchPatientFor(principal: Principal, requested: string | undefined): { patient: string | undefined; matchesNothing: boolean } {
  if (principal.patient === undefined) return { patient: requested, matchesNothing: false };
  if (requested === undefined) return { patient: `Patient/${principal.patient}`, matchesNothing: false };
  return { patient: requested, matchesNothing: requested.replace(/^Patient\//, '').replace(/^.*\/Patient\//, '') !== principal.patient };
}

/** Patient-scoped tokens may not act across patients (Subscriptions, EHR-referenced scoring). */
export function assertNotPatientScoped(principal: Principal, what: string): void {
  if (principal.patient !== undefined) throw new AppError('AUTH.SCOPE_INSUFFICIENT', `${what} is not available to a patient-scoped token`);
}
