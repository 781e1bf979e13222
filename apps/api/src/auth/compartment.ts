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

/** The search parameters that name a result's patient, per resource type (Patient: its own id). */
const PATIENT_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  Observation: ['patient', 'subject'],
  DiagnosticReport: ['patient', 'subject'],
  Task: ['patient'],
  ImagingStudy: ['patient'],
  Media: ['patient'],
  Patient: ['_id'],
};

function patientIdIn(value: string): string {
  return value.replace(/:Patient$/, '').replace(/^.*Patient\//, '');
}

/**
 * A type-level search held to a patient-scoped token's compartment: the patient parameters are
 * replaced by the token's patient, and a search that named another patient matches nothing (FHIR
 * SMART: a patient token sees only its compartment; another patient's existence is not disclosed).
 * Types with no patient of their own (Provenance, Subscription) are refused to such a token.
 * Other tokens search as asked.
 */
export function compartmentSearch(principal: Principal, type: string, parameters: ReadonlyArray<[string, string]>): { parameters: Array<[string, string]>; matchesNothing: boolean } {
  if (principal.patient === undefined) return { parameters: [...parameters], matchesNothing: false };
  const names = PATIENT_PARAMETERS[type];
  if (!names) throw new AppError('AUTH.SCOPE_INSUFFICIENT', `Searching ${type} is not available to a patient-scoped token`);
  const own = principal.patient;
  const isPatientParameter = (name: string): boolean => names.includes(name.replace(/:Patient$/, ''));
  const named = parameters.filter(([name]) => isPatientParameter(name)).flatMap(([, value]) => value.split(',').map(patientIdIn));
  const kept = parameters.filter(([name]) => !isPatientParameter(name));
  return { parameters: [...kept, [names[0], names[0] === '_id' ? own : `Patient/${own}`]], matchesNothing: named.some((id) => id !== own) };
}

/** A bundle's entries the principal may see (includes, history entries); other tokens see all. */
export function visibleEntries(principal: Principal, bundle: fhir4.Bundle): fhir4.Bundle {
  if (principal.patient === undefined || !bundle.entry) return bundle;
  const entry = bundle.entry.filter((item) => item.resource !== undefined && resourceVisibleTo(principal, item.resource as unknown as { resourceType: string; id?: string } & Record<string, unknown>));
  return entry.length > 0 ? { ...bundle, entry } : (({ entry: _dropped, ...rest }) => rest)(bundle);
}
