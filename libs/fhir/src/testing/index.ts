/**
 * @brixia/fhir/testing — test helpers: FHIR R4 validators for outputs (ours on @medplum/core, the official
 * JSON Schema with Ajv, FHIR.js, the JSON rules), and sample inputs. For specs only (the definitions
 * take tens of MB and a few seconds to load on first use).
 */
export { validateR4 } from './r4-validator';
export { ensureR4Definitions } from './r4-definitions';
export { fhirConformance, FHIR_VALIDATORS, type FhirValidatorName } from './fhir-conformance';
// The three checks specs call on every output, loaded once per Jest worker (shared-validators.ts).
export {
  sharedExpectConformantFhir as expectConformantFhir,
  sharedExpectValidR4 as expectValidR4,
  sharedFhirConformanceErrors as fhirConformanceErrors,
} from './shared-validators';
export { checkFhirJsonRules } from './json-rules';
export { validateR4JsonSchema } from './r4-json-schema';
export { validateWithFhirJs } from './fhir-js-validator';
export { sampleFhirConfig, sampleModel, sampleScoring } from './samples';
