import { Fhir } from 'fhir';

// FHIR.js (the `fhir` package, lantanagroup): its own parse of the R4 StructureDefinitions and ValueSets,
// validating cardinality, types, unexpected properties and required-binding codes it can expand.
let fhir: Fhir | undefined;

/** Validates a resource with FHIR.js (R4, unexpected properties are errors). One message per error or fatal. */
export function validateWithFhirJs(resource: unknown): string[] {
  if (typeof resource !== 'object' || resource === null || typeof (resource as { resourceType?: unknown }).resourceType !== 'string') {
    return ['resource: not a FHIR resource (no resourceType)'];
  }
  fhir ??= new Fhir();
  const result = fhir.validate(resource, { errorOnUnexpected: true });
  return result.messages
    .filter((message) => message.severity === 'error' || message.severity === 'fatal')
    .map((message) => `${message.location ?? '(resource)'}: ${message.message ?? 'invalid'}`);
}
