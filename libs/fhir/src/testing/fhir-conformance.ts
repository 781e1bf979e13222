import { validateWithFhirJs } from './fhir-js-validator';
import { checkFhirJsonRules } from './json-rules';
import { validateR4JsonSchema } from './r4-json-schema';
import { validateR4 } from './r4-validator';

/** The validators every FHIR output of the tests goes through; each built by others on its own reading of R4. */
export const FHIR_VALIDATORS = {
  /** @medplum/core's validator on the R4 StructureDefinitions, plus our rules it leaves out (r4-validator.ts). */
  medplum: validateR4,
  /** The official R4 JSON Schema, run with Ajv. */
  'json-schema': validateR4JsonSchema,
  /** FHIR.js (`fhir` on npm). */
  'fhir.js': validateWithFhirJs,
  /** The R4 JSON rules on the JSON alone (no empty arrays/objects/strings, no nulls). */
  'json-rules': checkFhirJsonRules,
} as const;

export type FhirValidatorName = keyof typeof FHIR_VALIDATORS;

/** What each validator reports on a resource ("<path>: <text>" per error); all empty when it conforms. */
export function fhirConformance(resource: unknown): Record<FhirValidatorName, string[]> {
  const report = {} as Record<FhirValidatorName, string[]>;
  // What goes on the wire: JSON (undefined members vanish), as every consumer of our output sees it.
  const wire: unknown = resource === undefined ? undefined : JSON.parse(JSON.stringify(resource));
  for (const [name, validate] of Object.entries(FHIR_VALIDATORS) as Array<[FhirValidatorName, (resource: unknown) => string[]]>) report[name] = validate(wire);
  return report;
}

/** The errors of every validator, one line each prefixed by the validator's name; empty when it conforms. */
export function fhirConformanceErrors(resource: unknown): string[] {
  return Object.entries(fhirConformance(resource)).flatMap(([name, errors]) => errors.map((error) => `[${name}] ${error}`));
}

/** Throws with every validator's messages unless the resource conforms under all of them. */
export function expectConformantFhir(resource: unknown, label?: string): void {
  const errors = fhirConformanceErrors(resource);
  if (errors.length === 0) return;
  const type = typeof resource === 'object' && resource !== null ? String((resource as { resourceType?: unknown }).resourceType) : typeof resource;
  throw new Error(`${label ?? type} is not conformant FHIR R4:\n  ${errors.slice(0, 40).join('\n  ')}${errors.length > 40 ? `\n  … ${errors.length - 40} more` : ''}`);
}
