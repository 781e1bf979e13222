import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { apiBase, type FhirConfig } from './config';

/** AuditEvent.action (http://hl7.org/fhir/R4/valueset-audit-event-action.html): Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** The RESTful interaction audited (http://hl7.org/fhir/R4/codesystem-restful-interaction.html), BALP's AuditEvent.subtype. */
export type AuditInteraction = 'read' | 'search-type' | 'create' | 'update' | 'operation';

/** Who asked: the OAuth client, the user behind it (when any) and where the request came from. */
export interface AuditAgent {
  readonly clientId?: string;
  /** The token's `sub`. */
  readonly subject?: string;
  /** The token's `fhirUser` claim, e.g. `Practitioner/dr-rossi` (SMART App Launch). */
  readonly fhirUser?: string;
  readonly sourceAddress?: string;
}

/** One access to patient data, in domain terms; buildAuditEvent turns it into a FHIR AuditEvent. */
export interface AuditInput {
  readonly id: string;
  readonly recorded: Date;
  readonly action: AuditAction;
  readonly interaction: AuditInteraction;
  /** The HTTP status answered (401/403 refusals included). */
  readonly status: number;
  readonly agent: AuditAgent;
  /** Patient ids whose data was touched (one entity each, role Patient). */
  readonly patientIds: readonly string[];
  /** Relative references of the resources touched, e.g. `Observation/x`. */
  readonly entities: readonly string[];
  /** The request's X-Request-ID (BALP transaction entity). */
  readonly requestId?: string;
  /** The search or GraphQL query as sent (BALP query entity), for `search-type` and `operation`. */
  readonly query?: string;
  /** Short description of what was done (e.g. `GET /fhir/Observation/x`); no PHI beyond ids. */
  readonly description: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
/** IHE BALP's entity type for the X-Request-Id of a transaction (https://profiles.ihe.net/ITI/BALP/CodeSystem-BasicAuditEntityType.html). */
const BALP_ENTITY_TYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType';
const BALP_PROFILES: Record<AuditInteraction, string> = {
  read: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientRead',
  'search-type': 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery',
  create: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientCreate',
  update: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientUpdate',
  operation: 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/IHE.BasicAudit.PatientQuery',
};
const IPV4_OR_6 = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+(%\w+)?|::ffff:\d{1,3}(\.\d{1,3}){3})$/i;
const RELATIVE_REFERENCE = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/** AuditEvent.outcome (http://hl7.org/fhir/R4/valueset-audit-event-outcome.html) of an HTTP status. */
export function auditOutcomeOf(status: number): '0' | '4' | '8' {
  if (status < 400) return '0';
  return status < 500 ? '4' : '8';
}

/**
 * An AuditEvent shaped after IHE Basic Audit Log Patterns (BALP, RESTful activity): type `rest`,
 * subtype the interaction; agents = the client application (Source Role ID, with its network
 * address), the user when the token names one (requestor), and this server (Destination Role
 * ID); source = this server; entities = each patient (role Patient), each resource touched
 * (Domain Resource), the query (Query, base64) and the request id (BALP XrequestId).
 */
export function buildAuditEvent(config: FhirConfig, input: AuditInput): fhir4.AuditEvent {
  if (!Number.isInteger(input.status) || input.status < 100 || input.status > 599) throw new AppError('INTERNAL', 'AuditEvent needs an HTTP status');
  const base = apiBase(config.baseUrl);
  const server: fhir4.Reference = { identifier: { system: 'urn:ietf:rfc:3986', value: base }, display: 'Brixia FHIR service' };
  const clientAgent: fhir4.AuditEventAgent = {
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    ...(input.agent.clientId ? { who: { identifier: { system: `${base}/oauth-client`, value: input.agent.clientId } } } : {}),
    requestor: !input.agent.subject && !input.agent.fhirUser,
    ...(input.agent.sourceAddress ? { network: { address: input.agent.sourceAddress, type: IPV4_OR_6.test(input.agent.sourceAddress) ? '2' : '1' } } : {}),
  };
  const userAgent: fhir4.AuditEventAgent[] =
    input.agent.subject || input.agent.fhirUser
      ? [
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }] },
            who: {
              ...(input.agent.fhirUser && RELATIVE_REFERENCE.test(input.agent.fhirUser) ? { reference: input.agent.fhirUser } : {}),
              ...(input.agent.subject ? { identifier: { system: `${base}/oauth-subject`, value: input.agent.subject } } : {}),
            },
            requestor: true,
          },
        ]
      : [];
  const serverAgent: fhir4.AuditEventAgent = {
    type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
    who: server,
    requestor: false,
    network: { address: base, type: '5' },
  };
  const entity: fhir4.AuditEventEntity[] = [
    ...unique(input.patientIds).map((id) => ({
      what: { reference: `Patient/${id}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    })),
    ...unique(input.entities).map((reference) => ({
      what: { reference },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    })),
    ...(input.query ? [{ type: { system: ENTITY_TYPE, code: '2', display: 'System Object' }, role: { system: OBJECT_ROLE, code: '24', display: 'Query' }, query: Buffer.from(input.query, 'utf8').toString('base64') }] : []),
    ...(input.requestId ? [{ what: { identifier: { value: input.requestId } }, type: { system: BALP_ENTITY_TYPE, code: 'XrequestId', display: 'X-Request-Id' } }] : []),
  ];
  const outcome = auditOutcomeOf(input.status);
  return {
    resourceType: 'AuditEvent',
    id: input.id,
    meta: { profile: [BALP_PROFILES[input.interaction]] },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: input.interaction }],
    action: input.action,
    recorded: input.recorded.toISOString(),
    outcome,
    outcomeDesc: `HTTP ${input.status}: ${input.description}`,
    agent: [clientAgent, ...userAgent, serverAgent],
    source: { observer: server, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    ...(entity.length > 0 ? { entity } : {}),
  };
}

/**
 * What a served resource tells the audit trail: its own reference and its patient (subject,
 * patient, Task.for or Binary.securityContext); a Bundle contributes each entry. Patient resources count as their own patient.
 */
export function auditSubjectsOf(resource: fhir4.Resource): { entities: string[]; patientIds: string[] } {
  const entities: string[] = [];
  const patientIds: string[] = [];
  const visit = (item: fhir4.Resource): void => {
    if (item.resourceType === 'Bundle') {
      for (const entry of (item as fhir4.Bundle).entry ?? []) if (entry.resource) visit(entry.resource);
      return;
    }
    if (item.resourceType === 'OperationOutcome') return;
    if (item.id) entities.push(`${item.resourceType}/${item.id}`);
    if (item.resourceType === 'Patient' && item.id) patientIds.push(item.id);
    const record = item as { subject?: fhir4.Reference; patient?: fhir4.Reference; for?: fhir4.Reference; securityContext?: fhir4.Reference };
    for (const reference of [record.subject, record.patient, record.for, record.securityContext]) {
      const match = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(reference?.reference ?? '');
      if (match) patientIds.push(match[1]);
    }
  };
  visit(resource);
  return { entities: unique(entities), patientIds: unique(patientIds) };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
