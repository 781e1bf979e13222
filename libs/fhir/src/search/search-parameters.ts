/**
 * The one declarative search-parameter registry: for each searchable resource type, the parameters
 * this server honours (name, type, the HL7 SearchParameter it implements, where its value lives in
 * the served resource), the sort keys, and the _include/_revinclude it follows. The request parser,
 * the SQL translation (libs/persistence), the in-memory predicate and the CapabilityStatement are
 * all derived from it, so what is declared is what works (http://hl7.org/fhir/R4/search.html).
 */
export type SearchParamType = 'token' | 'reference' | 'date';

/**
 * Where a parameter's value is found. `element` is a path into the served JSON: `.` steps into an
 * object, a trailing `[]` marks an array (`agent[].who`, `derivedFrom[]`).
 */
export type SearchTarget =
  | { readonly kind: 'code'; readonly element: string }
  | { readonly kind: 'codeable'; readonly element: string }
  | { readonly kind: 'identifier'; readonly element: string }
  | { readonly kind: 'reference'; readonly element: string; readonly targets: readonly string[] }
  | { readonly kind: 'dateTime'; readonly element: string }
  | { readonly kind: 'id' }
  | { readonly kind: 'lastUpdated' };

export interface SearchParameterDefinition {
  readonly name: string;
  readonly type: SearchParamType;
  /** Canonical URL of the HL7 SearchParameter this implements. */
  readonly definition: string;
  readonly documentation: string;
  readonly target: SearchTarget;
}

/** `_include` / `_revinclude` value `Source:param` and what it follows. */
export interface IncludeDefinition {
  readonly value: string;
  /** The resource type holding the reference. */
  readonly source: string;
  /** The search parameter (of `source`) whose reference is followed. */
  readonly param: string;
}

export interface ResourceSearchDefinition {
  readonly type: string;
  readonly params: readonly SearchParameterDefinition[];
  /** `_sort` keys: a date parameter's name or `_lastUpdated` (prefix `-` for descending). */
  readonly sorts: readonly string[];
  readonly includes: readonly IncludeDefinition[];
  readonly revincludes: readonly IncludeDefinition[];
}

const SP = 'http://hl7.org/fhir/SearchParameter';

const ID: SearchParameterDefinition = { name: '_id', type: 'token', definition: `${SP}/Resource-id`, documentation: 'Logical id (comma-separated alternatives).', target: { kind: 'id' } };
const LAST_UPDATED: SearchParameterDefinition = {
  name: '_lastUpdated',
  type: 'date',
  definition: `${SP}/Resource-lastUpdated`,
  documentation: 'meta.lastUpdated; eq/ge/gt/le/lt, repeatable.',
  target: { kind: 'lastUpdated' },
};

function reference(name: string, definition: string, element: string, targets: readonly string[], documentation: string): SearchParameterDefinition {
  return { name, type: 'reference', definition: `${SP}/${definition}`, documentation, target: { kind: 'reference', element, targets } };
}

function token(name: string, definition: string, target: SearchTarget, documentation: string): SearchParameterDefinition {
  return { name, type: 'token', definition: `${SP}/${definition}`, documentation, target };
}

function date(name: string, definition: string, element: string, documentation: string): SearchParameterDefinition {
  return { name, type: 'date', definition: `${SP}/${definition}`, documentation, target: { kind: 'dateTime', element } };
}

const PATIENT_FORMS = 'Patient/<id>, <id>, or the absolute URL; also as :Patient.';

const RESOURCES: readonly ResourceSearchDefinition[] = [
  {
    type: 'Observation',
    params: [
      ID,
      LAST_UPDATED,
      reference('patient', 'clinical-patient', 'subject', ['Patient'], `The result's Patient: ${PATIENT_FORMS}`),
      reference('subject', 'Observation-subject', 'subject', ['Patient'], `Same as patient: ${PATIENT_FORMS}`),
      token('code', 'clinical-code', { kind: 'codeable', element: 'code' }, 'Observation.code, [system|]code (the Brixia CodeSystem code global).'),
      date('date', 'clinical-date', 'effectiveDateTime', 'Clinical time (effectiveDateTime = acquisition time); eq/ge/gt/le/lt, repeatable.'),
      token('status', 'Observation-status', { kind: 'code', element: 'status' }, 'preliminary (AI), final (confirmed), amended, corrected, entered-in-error.'),
      token('category', 'Observation-category', { kind: 'codeable', element: 'category[]' }, 'Observation.category, e.g. observation-category|imaging.'),
      token('identifier', 'clinical-identifier', { kind: 'identifier', element: 'identifier[]' }, 'The deterministic result identifier, system|value.'),
      reference('derived-from', 'Observation-derived-from', 'derivedFrom[]', ['ImagingStudy'], 'The ImagingStudy scored (ImagingStudy/<id>).'),
      reference('device', 'Observation-device', 'device', ['Device'], 'The AI model Device (Device/<id>).'),
    ],
    sorts: ['date', '_lastUpdated'],
    includes: [
      { value: 'Observation:device', source: 'Observation', param: 'device' },
      { value: 'Observation:derived-from', source: 'Observation', param: 'derived-from' },
    ],
    revincludes: [
      { value: 'DiagnosticReport:result', source: 'DiagnosticReport', param: 'result' },
      { value: 'Provenance:target', source: 'Provenance', param: 'target' },
    ],
  },
  {
    type: 'DiagnosticReport',
    params: [
      ID,
      LAST_UPDATED,
      reference('patient', 'clinical-patient', 'subject', ['Patient'], `The report's Patient: ${PATIENT_FORMS}`),
      reference('subject', 'DiagnosticReport-subject', 'subject', ['Patient'], `Same as patient: ${PATIENT_FORMS}`),
      reference('result', 'DiagnosticReport-result', 'result[]', ['Observation'], 'The Brixia Observation reported (Observation/<id>).'),
      token('status', 'DiagnosticReport-status', { kind: 'code', element: 'status' }, 'preliminary, final, amended.'),
      date('date', 'clinical-date', 'effectiveDateTime', 'Clinical time (acquisition time); eq/ge/gt/le/lt, repeatable.'),
    ],
    sorts: ['date', '_lastUpdated'],
    includes: [],
    revincludes: [],
  },
  {
    type: 'Task',
    params: [
      ID,
      LAST_UPDATED,
      token('status', 'Task-status', { kind: 'code', element: 'status' }, 'requested, in-progress, completed, failed.'),
      reference('focus', 'Task-focus', 'focus', ['ImagingStudy'], 'The ImagingStudy being scored (ImagingStudy/<id>).'),
      reference('patient', 'Task-patient', 'for', ['Patient'], `Task.for: ${PATIENT_FORMS}`),
      token('identifier', 'Task-identifier', { kind: 'identifier', element: 'identifier[]' }, 'The scoring-request identifier, system|value.'),
    ],
    sorts: ['_lastUpdated'],
    includes: [],
    revincludes: [],
  },
  {
    type: 'ImagingStudy',
    params: [
      ID,
      LAST_UPDATED,
      reference('patient', 'clinical-patient', 'subject', ['Patient'], `The study's Patient: ${PATIENT_FORMS}`),
      token('identifier', 'clinical-identifier', { kind: 'identifier', element: 'identifier[]' }, 'Study identifier, e.g. urn:dicom:uid|urn:oid:<StudyInstanceUID>.'),
    ],
    sorts: ['_lastUpdated'],
    includes: [],
    revincludes: [],
  },
  {
    type: 'Provenance',
    params: [
      ID,
      LAST_UPDATED,
      reference('target', 'Provenance-target', 'target[]', ['Observation', 'DiagnosticReport'], 'What the Provenance is about (Observation/<id>, DiagnosticReport/<id>).'),
      reference('agent', 'Provenance-agent', 'agent[].who', ['Device', 'Practitioner'], 'Who acted: the AI Device or the reviewing Practitioner.'),
      reference(
        'entity',
        'Provenance-entity',
        'entity[].what',
        ['ImagingStudy', 'Observation', 'DiagnosticReport'],
        'What was used: the ImagingStudy (source), an earlier result a review or a better instance of the study revised (revision).',
      ),
    ],
    sorts: ['_lastUpdated'],
    includes: [],
    revincludes: [],
  },
  {
    type: 'Media',
    params: [ID, LAST_UPDATED, reference('patient', 'Media-patient', 'subject', ['Patient'], `The explanation image's Patient: ${PATIENT_FORMS}`)],
    sorts: ['_lastUpdated'],
    includes: [],
    revincludes: [],
  },
  {
    type: 'Patient',
    params: [ID, LAST_UPDATED, token('identifier', 'Patient-identifier', { kind: 'identifier', element: 'identifier[]' }, 'e.g. the DICOM PatientID under its issuer, system|value.')],
    sorts: ['_lastUpdated'],
    includes: [],
    revincludes: [],
  },
  {
    type: 'Subscription',
    params: [ID, token('status', 'Subscription-status', { kind: 'code', element: 'status' }, 'requested, active, error, off.')],
    sorts: [],
    includes: [],
    revincludes: [],
  },
];

/** The searchable resource types and their parameters. */
export const SEARCH_REGISTRY: ReadonlyMap<string, ResourceSearchDefinition> = new Map(RESOURCES.map((definition) => [definition.type, definition]));

/** The search definition of a resource type, or undefined when the type is not searchable. */
export function searchDefinition(type: string): ResourceSearchDefinition | undefined {
  return SEARCH_REGISTRY.get(type);
}
