/**
 * @brixia/fhir/testing — test helpers: a real FHIR R4 validator for builder outputs, and sample
 * inputs. For specs only (loads ~45 MB of R4 definitions on first use).
 */
export { expectValidR4, validateR4 } from './r4-validator';
export { ensureR4Definitions } from './r4-definitions';
export { sampleFhirConfig, sampleModel, sampleScoring } from './samples';
