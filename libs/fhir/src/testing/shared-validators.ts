import { expectConformantFhir, fhirConformanceErrors } from './fhir-conformance';
import { expectValidR4 } from './r4-validator';

/** The validators the Jest environment can share across spec files (tools/jest-ort-environment.js). */
export interface SharedFhirValidators {
  readonly expectValidR4: typeof expectValidR4;
  readonly expectConformantFhir: typeof expectConformantFhir;
  readonly fhirConformanceErrors: typeof fhirConformanceErrors;
}

/** This module instance's own validators: what the Jest environment loads once per worker and shares. */
export const LOCAL_VALIDATORS: SharedFhirValidators = { expectValidR4, expectConformantFhir, fhirConformanceErrors };

// Jest gives every spec file a fresh module registry, so the R4 StructureDefinitions and the compiled
// JSON Schema (5–10 s to load under load) would be loaded again by each file that validates. The Jest
// environment loads this module once per worker process, outside the files' realms, and offers its
// LOCAL_VALIDATORS as globalThis.__brixiaFhirValidators (resolved on first use); without that environment
// (a plain Node script) the validators of this module instance are used. Same functions, same results.
function validators(): SharedFhirValidators {
  return (globalThis as { __brixiaFhirValidators?: SharedFhirValidators }).__brixiaFhirValidators ?? LOCAL_VALIDATORS;
}

/** expectValidR4 (r4-validator.ts), loaded once per Jest worker. */
export function sharedExpectValidR4(resource: unknown): void {
  validators().expectValidR4(resource);
}

/** expectConformantFhir (fhir-conformance.ts), loaded once per Jest worker. */
export function sharedExpectConformantFhir(resource: unknown, label?: string): void {
  validators().expectConformantFhir(resource, label);
}

/** fhirConformanceErrors (fhir-conformance.ts), loaded once per Jest worker. */
export function sharedFhirConformanceErrors(resource: unknown): string[] {
  return [...validators().fhirConformanceErrors(resource)];
}
