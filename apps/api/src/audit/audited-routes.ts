import type { AuditAction, AuditInteraction } from '@brixia/fhir';

/** How one request to patient data is audited, known from its method and path before it runs. */
export interface AuditedRoute {
  readonly action: AuditAction;
  readonly interaction: AuditInteraction;
  /** The resource the path names (refusals still record what was asked for). */
  readonly entity?: string;
  /** The patient the path names. */
  readonly patientId?: string;
}

const ID = '([A-Za-z0-9\\-.]{1,64})';
const READ_TYPES = 'Observation|DiagnosticReport|Provenance|Media|Binary|ImagingStudy|Task|Patient';
/** Types with patient data searchable at /fhir/<type> (the search registry in libs/fhir). */
const SEARCH_TYPES = 'Observation|DiagnosticReport|Provenance|Media|ImagingStudy|Task|Patient';

/**
 * Every route that serves or changes patient data. Not audited: metadata and terminology
 * (CapabilityStatement, CodeSystem, OperationDefinition, the model Device), health, the dashboard's
 * static files, Subscriptions (no patient data) and the audit trail itself.
 */
const TABLE: ReadonlyArray<{ readonly method: string; readonly path: RegExp; readonly route: (match: RegExpExecArray) => AuditedRoute }> = [
  { method: 'GET', path: /^\/fhir\/Observation\/\$lastn$/, route: () => ({ action: 'E', interaction: 'operation' }) },
  { method: 'POST', path: /^\/fhir\/Observation\/\$lastn$/, route: () => ({ action: 'E', interaction: 'operation' }) },
  { method: 'GET', path: new RegExp(`^/fhir/(${SEARCH_TYPES})$`), route: () => ({ action: 'E', interaction: 'search-type' }) },
  { method: 'POST', path: new RegExp(`^/fhir/(${SEARCH_TYPES})/_search$`), route: () => ({ action: 'E', interaction: 'search-type' }) },
  // Version history: a vread is a read of that version; instance and type history list versions like a search.
  { method: 'GET', path: new RegExp(`^/fhir/(${READ_TYPES})/_history$`), route: () => ({ action: 'E', interaction: 'search-type' }) },
  { method: 'GET', path: new RegExp(`^/fhir/(${READ_TYPES})/${ID}/_history$`), route: (m) => ({ action: 'R', interaction: 'read', entity: `${m[1]}/${m[2]}` }) },
  { method: 'GET', path: new RegExp(`^/fhir/(${READ_TYPES})/${ID}/_history/${ID}$`), route: (m) => ({ action: 'R', interaction: 'read', entity: `${m[1]}/${m[2]}` }) },
  // Patient compartment search: GET /fhir/Patient/<id>/<type>.
  { method: 'GET', path: new RegExp(`^/fhir/Patient/${ID}/(${SEARCH_TYPES})$`), route: (m) => ({ action: 'E', interaction: 'search-type', patientId: m[1] }) },
  { method: 'GET', path: new RegExp(`^/fhir/(${READ_TYPES})/${ID}$`), route: (m) => ({ action: 'R', interaction: 'read', entity: `${m[1]}/${m[2]}`, ...(m[1] === 'Patient' ? { patientId: m[2] } : {}) }) },
  { method: 'POST', path: /^\/fhir\/ImagingStudy\/\$brixia-score$/, route: () => ({ action: 'E', interaction: 'operation' }) },
  { method: 'POST', path: new RegExp(`^/fhir/ImagingStudy/${ID}/\\$brixia-score$`), route: (m) => ({ action: 'E', interaction: 'operation', entity: `ImagingStudy/${m[1]}` }) },
  { method: 'POST', path: /^\/api\/v1\/studies\/?$/, route: () => ({ action: 'C', interaction: 'create' }) },
  { method: 'GET', path: new RegExp(`^/api/v1/patients/${ID}/timeline$`), route: (m) => ({ action: 'R', interaction: 'read', patientId: m[1] }) },
  { method: 'GET', path: new RegExp(`^/api/v1/images/${ID}/radiograph\\.png$`), route: () => ({ action: 'R', interaction: 'read' }) },
  { method: 'GET', path: new RegExp(`^/api/v1/results/${ID}/delivery$`), route: (m) => ({ action: 'R', interaction: 'read', entity: `Observation/${m[1]}` }) },
  // GraphQL: a query is a search-like operation; resolvers that write say so (review → U).
  { method: 'POST', path: /^\/graphql\/?$/, route: () => ({ action: 'E', interaction: 'operation' }) },
  { method: 'GET', path: /^\/graphql\/?$/, route: () => ({ action: 'E', interaction: 'operation' }) },
];

/** The audit shape of a request, or undefined when it touches no patient data. */
export function auditedRoute(method: string, path: string): AuditedRoute | undefined {
  // Express answers HEAD with the GET route.
  const asked = method === 'HEAD' ? 'GET' : method;
  for (const row of TABLE) {
    if (row.method !== asked) continue;
    const match = row.path.exec(path);
    if (match) return row.route(match);
  }
  return undefined;
}
