/**
 * Who a verified access token speaks for. Attached to the HTTP request as `request.principal` once
 * the token is verified (undefined on public routes and on refused requests).
 */
export interface Principal {
  /** The token's `sub`. */
  readonly subject: string;
  /** The OAuth client the token was issued to (`client_id`, RFC 9068 §2.2). */
  readonly clientId: string;
  /** SMART `fhirUser`: the person using the client, e.g. `Practitioner/dr-rossi` (or an absolute URL). */
  readonly fhirUser?: string;
  /** SMART `patient` launch context: the token sees only this patient's compartment. */
  readonly patient?: string;
  /** The granted scopes (`scope` claim, space-separated in the token). */
  readonly scopes: readonly string[];
}

const PRACTITIONER = /(?:^|\/)Practitioner\/([A-Za-z0-9\-.]{1,64})$/;

/** The Practitioner id named by `fhirUser`, or undefined when the token names no practitioner. */
export function practitionerIdOf(principal: Principal): string | undefined {
  return principal.fhirUser ? PRACTITIONER.exec(principal.fhirUser)?.[1] : undefined;
}

/** A patient-scoped token sees only its own patient; every other token sees every patient. */
export function seesPatient(principal: Principal, patientId: string | undefined): boolean {
  return principal.patient === undefined || (patientId !== undefined && principal.patient === patientId);
}
