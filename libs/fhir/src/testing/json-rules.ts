// FHIR R4 JSON representation rules (http://hl7.org/fhir/R4/json.html), checked on the JSON alone, without
// any FHIR definitions: an independent check next to the structural validators, which do not all see these.

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(value: unknown, path: string, errors: string[], inPrimitiveExtensionArray: boolean): void {
  if (value === null) {
    // The one place JSON null is allowed: a placeholder in a repeating primitive's `_name` array.
    if (!inPrimitiveExtensionArray) errors.push(`${path}: null is not allowed`);
    return;
  }
  if (typeof value === 'string') {
    if (value.length === 0) errors.push(`${path}: empty string`);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) errors.push(`${path}: not a finite number`);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) errors.push(`${path}: empty array`);
    value.forEach((item, index) => walk(item, `${path}[${index}]`, errors, inPrimitiveExtensionArray));
    return;
  }
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) errors.push(`${path}: empty object`);
    for (const key of keys) {
      const item = value[key];
      const childPath = `${path}.${key}`;
      if (key.startsWith('_') && Array.isArray(item)) {
        // `_given: [null, {…}]` must line up with `given` (json.html#primitive).
        const sibling = value[key.slice(1)];
        if (!Array.isArray(sibling) || sibling.length !== item.length) errors.push(`${childPath}: must have as many items as ${key.slice(1)}`);
        if (item.length > 0 && item.every((entry) => entry === null)) errors.push(`${childPath}: only nulls`);
        walk(item, childPath, errors, true);
        continue;
      }
      walk(item, childPath, errors, false);
    }
  }
}

/**
 * The JSON rules of FHIR R4: no empty arrays, objects or strings, no nulls (except as placeholders in a
 * repeating primitive's `_name` array, which must line up with its values), finite numbers only, and a
 * top-level `resourceType`. One message per break ("<path>: <text>"); empty when none.
 */
export function checkFhirJsonRules(resource: unknown): string[] {
  if (!isRecord(resource) || typeof resource.resourceType !== 'string') return ['resource: not a FHIR resource (no resourceType)'];
  const errors: string[] = [];
  walk(resource, resource.resourceType, errors, false);
  return errors;
}
