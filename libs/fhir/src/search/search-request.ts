import { AppError } from '@brixia/common';
import { apiBase, FHIR_ID_PATTERN } from '../config';
import { parseDateSearch } from './date-search';
import { fragmentAt, type JsonFragment, type SearchCriterion, type SearchSort } from './search-criteria';
import { searchDefinition, type IncludeDefinition, type ResourceSearchDefinition, type SearchParameterDefinition } from './search-parameters';

/** A search as understood: what it filters on, how it pages, and what was left out. */
export interface ParsedSearch {
  readonly resourceType: string;
  readonly criteria: readonly SearchCriterion[];
  readonly count: number;
  readonly offset: number;
  readonly sort?: SearchSort;
  /** `_summary=count`: the total only, no entries. */
  readonly summaryCount: boolean;
  /** `_elements`: the top-level elements to keep (plus id, meta, resourceType). */
  readonly elements?: readonly string[];
  readonly include: readonly IncludeDefinition[];
  readonly revinclude: readonly IncludeDefinition[];
  /** The parameters applied, in request order, for the Bundle's self link (R4 search §3.1.1.2). */
  readonly applied: ReadonlyArray<readonly [string, string]>;
  /** Names of the parameters ignored (unknown, or with an unsupported modifier or value). */
  readonly ignored: readonly string[];
}

export interface SearchOptions {
  /** `Prefer: handling=strict`: an unsupported parameter is a 400, not ignored. */
  readonly strict: boolean;
  /** Public base of our FHIR API (absolute references to it are ours). */
  readonly baseUrl: string;
  readonly defaultCount?: number;
  readonly maxCount?: number;
}

/** Parameters every FHIR interaction takes; the HTTP layer honours them, search neither filters on them nor echoes them. */
const HTTP_PARAMETERS = new Set(['_format', '_pretty']);

/** True when `Prefer` asks for strict handling (http://hl7.org/fhir/R4/search.html#errors). */
export function wantsStrictHandling(prefer: string | undefined): boolean {
  return (prefer ?? '').split(/[,;]/).some((token) => token.replace(/\s+/g, '').toLowerCase() === 'handling=strict');
}

/**
 * Parses search parameters (name/value pairs, repeats kept) against the registry. Unsupported
 * parameters, modifiers and result-parameter values are ignored and left out of `applied`, or,
 * when strict, refused with REQUEST.INVALID naming the parameter. Malformed values of supported
 * parameters (a bad date, a negative _count) are always a 400.
 */
export function parseSearch(resourceType: string, pairs: ReadonlyArray<readonly [string, string]>, options: SearchOptions): ParsedSearch {
  const definition = searchDefinition(resourceType);
  if (!definition) throw new AppError('RESOURCE.NOT_FOUND', `${resourceType} is not searchable here`);
  const state = new SearchState(definition, options);
  for (const [name, value] of pairs) state.add(name, value);
  return state.result(resourceType);
}

class SearchState {
  readonly criteria: SearchCriterion[] = [];
  readonly applied: Array<readonly [string, string]> = [];
  readonly ignored: string[] = [];
  readonly include: IncludeDefinition[] = [];
  readonly revinclude: IncludeDefinition[] = [];
  count: number;
  offset = 0;
  sort?: SearchSort;
  summaryCount = false;
  elements?: string[];

  constructor(
    private readonly definition: ResourceSearchDefinition,
    private readonly options: SearchOptions,
  ) {
    this.count = options.defaultCount ?? 20;
  }

  result(resourceType: string): ParsedSearch {
    return {
      resourceType,
      criteria: this.criteria,
      count: this.count,
      offset: this.offset,
      sort: this.sort,
      summaryCount: this.summaryCount,
      elements: this.elements,
      include: this.include,
      revinclude: this.revinclude,
      applied: this.applied,
      ignored: this.ignored,
    };
  }

  private unsupported(name: string, why: string): void {
    if (this.options.strict) throw new AppError('REQUEST.INVALID', `Search parameter ${name} is not supported on ${this.definition.type}: ${why}`, { expression: [name] });
    this.ignored.push(name);
  }

  add(name: string, value: string): void {
    if (HTTP_PARAMETERS.has(name)) return;
    const [base, modifier, ...rest] = name.split(':');
    if (rest.length > 0) return this.unsupported(name, 'chained modifiers are not supported');
    if (base.startsWith('_') && !this.definition.params.some((param) => param.name === base)) return this.addResultParameter(name, base, modifier, value);
    const param = this.definition.params.find((candidate) => candidate.name === base);
    if (!param) return this.unsupported(name, base.includes('.') ? 'chained parameters are not supported' : 'unknown parameter');
    if (modifier !== undefined && !(param.target.kind === 'reference' && param.target.targets.includes(modifier))) {
      return this.unsupported(name, `modifier :${modifier} is not supported`);
    }
    this.criteria.push(criterionOf(param, value, modifier, this.options.baseUrl));
    this.applied.push([name, value]);
  }

  private addResultParameter(name: string, base: string, modifier: string | undefined, value: string): void {
    if (modifier !== undefined) return this.unsupported(name, `modifier :${modifier} is not supported`);
    switch (base) {
      case '_count':
        this.count = Math.min(nonNegative(value, name), this.options.maxCount ?? 100);
        return;
      case '_offset':
        this.offset = nonNegative(value, name);
        return;
      case '_sort':
        return this.addSort(name, value);
      case '_summary':
        if (value === 'count') this.summaryCount = true;
        else if (value !== 'false') return this.unsupported(name, `_summary=${value} is not supported (count and false are)`);
        this.applied.push([name, value]);
        return;
      case '_elements': {
        const elements = value.split(',').map((element) => element.trim()).filter((element) => element !== '');
        if (elements.some((element) => !/^[A-Za-z][A-Za-z0-9]*$/.test(element))) throw new AppError('REQUEST.INVALID', '_elements lists top-level element names', { expression: [name] });
        this.elements = [...(this.elements ?? []), ...elements];
        this.applied.push([name, value]);
        return;
      }
      case '_include':
      case '_revinclude': {
        const list = base === '_include' ? this.definition.includes : this.definition.revincludes;
        const found = list.find((include) => include.value === value);
        if (!found) return this.unsupported(name, `${value} is not supported (${list.map((include) => include.value).join(', ') || 'none'})`);
        (base === '_include' ? this.include : this.revinclude).push(found);
        this.applied.push([name, value]);
        return;
      }
      default:
        return this.unsupported(name, 'unknown parameter');
    }
  }

  private addSort(name: string, value: string): void {
    const key = value.trim();
    const descending = key.startsWith('-');
    const field = descending ? key.slice(1) : key;
    if (key.includes(',') || !this.definition.sorts.includes(field)) {
      return this.unsupported(name, `sort by ${value} is not supported (${this.definition.sorts.join(', ') || 'none'})`);
    }
    const param = this.definition.params.find((candidate) => candidate.name === field);
    const by = param?.target.kind === 'dateTime' ? { kind: 'dateTime' as const, element: param.target.element } : { kind: 'lastUpdated' as const };
    this.sort = { by, descending };
    this.applied.push([name, value]);
  }
}

function nonNegative(value: string, name: string): number {
  const parsed = Number(value);
  // Past MAX_SAFE_INTEGER an offset overflows SQL's bigint OFFSET.
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new AppError('REQUEST.INVALID', `${name} must be a non-negative integer`, { expression: [name] });
  return parsed;
}

function criterionOf(param: SearchParameterDefinition, value: string, modifier: string | undefined, baseUrl: string): SearchCriterion {
  const target = param.target;
  // A NUL cannot be stored in jsonb or text (PostgreSQL refuses it: a 500), so no resource holds one.
  const alternatives = value.split(',').filter((alternative) => alternative !== '' && !alternative.includes('\0'));
  switch (target.kind) {
    case 'id':
      return { kind: 'id', ids: alternatives.filter((id) => FHIR_ID_PATTERN.test(id)) };
    case 'lastUpdated':
      return { kind: 'lastUpdated', bounds: parseDateSearch(value, param.name) };
    case 'dateTime':
      return { kind: 'date', param: param.name, element: target.element, bounds: parseDateSearch(value, param.name) };
    case 'code':
      return { kind: 'contains', param: param.name, fragments: alternatives.map((token) => fragmentAt(target.element, token.slice(token.indexOf('|') + 1))) };
    case 'codeable':
      return { kind: 'contains', param: param.name, fragments: alternatives.flatMap((token) => tokenLeaf(token, 'code')).map((leaf) => fragmentAt(target.element, { coding: [leaf] })) };
    case 'identifier':
      return { kind: 'contains', param: param.name, fragments: alternatives.flatMap((token) => tokenLeaf(token, 'value')).map((leaf) => fragmentAt(target.element, leaf)) };
    case 'reference': {
      const references = alternatives.flatMap((reference) => referenceForms(reference, modifier ? [modifier] : target.targets, baseUrl));
      return { kind: 'contains', param: param.name, fragments: references.map((reference) => fragmentAt(target.element, { reference })) };
    }
  }
}

/**
 * `system|code` → {system, code}; `code` → {code}; `system|` → {system}; `|code` asks for a code
 * without a system, which nothing this server publishes has, so it yields no fragment.
 */
function tokenLeaf(token: string, valueKey: 'code' | 'value'): JsonFragment[] {
  const bar = token.indexOf('|');
  if (bar < 0) return [{ [valueKey]: token }];
  const system = token.slice(0, bar);
  const code = token.slice(bar + 1);
  if (system === '') return [];
  return [code === '' ? { system } : { system, [valueKey]: code }];
}

/**
 * The stored forms a reference search value can match: `Type/id` as written and under our absolute
 * base; an absolute URL to our base as its relative form too; any other absolute URL (an EHR's
 * Patient) as is; a bare id under each allowed type. A type the element cannot hold matches nothing.
 */
function referenceForms(value: string, types: readonly string[], baseUrl: string): string[] {
  const base = apiBase(baseUrl);
  const unversioned = value.replace(/\/_history\/[^/]+$/, '');
  if (/^https?:\/\//.test(unversioned)) {
    if (!unversioned.startsWith(`${base}/`)) return [unversioned];
    return referenceForms(unversioned.slice(base.length + 1), types, baseUrl);
  }
  const relative = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(unversioned);
  if (relative) return types.includes(relative[1]) ? [unversioned, `${base}/${unversioned}`] : [];
  if (!FHIR_ID_PATTERN.test(unversioned)) return [];
  return types.flatMap((type) => [`${type}/${unversioned}`, `${base}/${type}/${unversioned}`]);
}
