import { OperationOutcomeError, tryGetDataType, validateResource, type InternalSchemaElement } from '@medplum/core';
import { ensureR4Definitions, expandValueSet } from './r4-definitions';
import { checkContained, checkNarrative } from './r4-resource-rules';

type MedplumResource = Parameters<typeof validateResource>[0];

const RESOURCE_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Validates a resource against the base FHIR R4 StructureDefinitions with @medplum/core's
 * validator (cardinality, types, primitive formats, FHIRPath invariants such as obs-6, ext-1,
 * dom-3), plus what that validator leaves out and our builders must still get right:
 * - `code` elements with a required binding must hold a code of the bound ValueSet (e.g.
 *   Task.status, Observation.status, OperationOutcome.issue.code), where the ValueSet can be
 *   expanded from the R4 definitions;
 * - resource ids must match [A-Za-z0-9-.]{1,64} (R4 types Resource.id as System.String);
 * - strings must not be empty or blank, arrays must not be empty;
 * - narrative XHTML (txt-1/2/3) and contained resources (dom-2 … dom-5).
 * Returns one message per error ("<path>: <text>"); empty when the resource is valid.
 */
export function validateR4(resource: unknown): string[] {
  ensureR4Definitions();
  if (typeof resource !== 'object' || resource === null || typeof (resource as { resourceType?: unknown }).resourceType !== 'string') {
    return ['resource: not a FHIR resource (no resourceType)'];
  }
  const errors: string[] = [];
  try {
    const issues = validateResource(resource as MedplumResource);
    for (const issue of issues) {
      if (issue.severity === 'error' || issue.severity === 'fatal') errors.push(formatIssue(issue));
    }
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    for (const issue of error.outcome.issue ?? []) {
      if (issue.severity === 'error' || issue.severity === 'fatal') errors.push(formatIssue(issue));
    }
  }
  const resourceType = (resource as { resourceType: string }).resourceType;
  walk(resource, resourceType, resourceType, errors);
  return errors;
}

/** Throws with every error message when the resource is not valid R4. */
export function expectValidR4(resource: unknown): void {
  const errors = validateR4(resource);
  if (errors.length > 0) {
    const label = typeof resource === 'object' && resource !== null ? String((resource as { resourceType?: unknown }).resourceType) : typeof resource;
    throw new Error(`${label} is not valid FHIR R4:\n  ${errors.join('\n  ')}`);
  }
}

function formatIssue(issue: { expression?: string[]; details?: { text?: string }; diagnostics?: string }): string {
  return `${issue.expression?.join(', ') ?? '(resource)'}: ${issue.details?.text ?? issue.diagnostics ?? 'invalid'}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Finds the schema element of a JSON key, resolving choice types (valueInteger → value[x]: integer). */
function elementOf(elements: Record<string, InternalSchemaElement>, key: string): { element: InternalSchemaElement; type: string } | undefined {
  const direct = elements[key];
  if (direct) return { element: direct, type: direct.type[0]?.code ?? '' };
  for (const [name, element] of Object.entries(elements)) {
    if (!name.endsWith('[x]')) continue;
    const base = name.slice(0, -3);
    if (!key.startsWith(base)) continue;
    const suffix = key.slice(base.length);
    const type = element.type.find((candidate) => candidate.code.charAt(0).toUpperCase() + candidate.code.slice(1) === suffix);
    if (type) return { element, type: type.code };
  }
  return undefined;
}

function walk(value: unknown, typeName: string, path: string, errors: string[]): void {
  if (!isRecord(value)) return;
  const resolvedType = typeName === 'Resource' && typeof value.resourceType === 'string' ? value.resourceType : typeName;
  const schema = tryGetDataType(resolvedType);
  if (!schema) return;
  const isResource = typeof value.resourceType === 'string' && value.resourceType === resolvedType;
  if (isResource) checkContained(value, path, errors);
  if (resolvedType === 'Narrative' && typeof value.div === 'string') checkNarrative(value.div, `${path}.div`, errors);
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    const found = elementOf(schema.elements, key);
    if (!found) continue; // Unknown properties are reported by validateResource.
    if (Array.isArray(raw) && raw.length === 0) errors.push(`${path}.${key}: empty array`);
    const items = Array.isArray(raw) ? raw : [raw];
    items.forEach((item, index) => {
      const itemPath = Array.isArray(raw) ? `${path}.${key}[${index}]` : `${path}.${key}`;
      if (typeof item === 'string') {
        if (item.trim() === '') errors.push(`${itemPath}: empty string`);
        if (isResource && key === 'id' && !RESOURCE_ID.test(item)) errors.push(`${itemPath}: invalid resource id`);
        const binding = found.element.binding;
        if (found.type === 'code' && binding?.strength === 'required' && binding.valueSet) {
          const codes = expandValueSet(binding.valueSet);
          if (codes && !codes.has(item)) errors.push(`${itemPath}: code "${item}" is not in required ValueSet ${binding.valueSet}`);
        }
        return;
      }
      walk(item, found.type, itemPath, errors);
    });
  }
}
