export { parseDateSearch, type DateBound } from './date-search';
export { patientCompartmentCriterion } from './patient-compartment';
export { fragmentAt, jsonContains, matchesCriteria, referenceNamesPatient, type JsonFragment, type JsonValue, type SearchCriterion, type SearchSort } from './search-criteria';
export {
  SEARCH_REGISTRY,
  searchDefinition,
  type IncludeDefinition,
  type ResourceSearchDefinition,
  type SearchParameterDefinition,
  type SearchParamType,
  type SearchTarget,
} from './search-parameters';
export { parseSearch, wantsStrictHandling, type ParsedSearch, type SearchOptions } from './search-request';
export { SUBSETTED_TAG, searchPageLinks, searchPageUrl, subsetElements } from './search-results';
