import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Clock } from '@brixia/common';
import { auditSubjectsOf, buildAuditEvent, type AuditAction, type AuditInput, type AuditInteraction, type FhirConfig } from '@brixia/fhir';
import type { AuditStore, NewAuditEvent } from '@brixia/persistence';
import type { AuditedRoute } from './audited-routes';
import { principalOf, type Principal } from './principal';

/** What one audited request touched, filled in by its handler or resolvers as they run. */
export interface AuditNote {
  action: AuditAction;
  interaction: AuditInteraction;
  readonly entities: Set<string>;
  readonly patientIds: Set<string>;
  query?: string;
  /** Set once the event was written in the transaction of the write it records: nothing left to write. */
  recordedInTransaction: boolean;
  /** A transaction built this request's event (committed or not yet known). */
  builtInTransaction: boolean;
  /** The status to record when the HTTP status does not tell (a GraphQL error answered with 200). */
  outcomeStatus?: number;
}

/** One access in transport-neutral terms: what AuditTrail.access turns into an AuditEvent. */
export interface AccessFacts {
  readonly action: AuditAction;
  readonly interaction: AuditInteraction;
  /** The HTTP status answered, or the one the error table gives a refusal on another transport. */
  readonly status: number;
  /** Undefined when no valid token was presented. */
  readonly principal?: Principal;
  readonly sourceAddress?: string;
  readonly patientIds: readonly string[];
  readonly entities: readonly string[];
  readonly requestId?: string;
  readonly query?: string;
  readonly description: string;
}

const NOTES = new WeakMap<Request, AuditNote>();

/** The audit note of a request (undefined for routes that are not audited). */
export function auditNoteOf(request: Request | undefined): AuditNote | undefined {
  return request ? NOTES.get(request) : undefined;
}

/** Notes a served FHIR resource (or searchset) as accessed: its references and patients. */
export function noteServed(request: Request | undefined, resource: fhir4.Resource): void {
  const note = auditNoteOf(request);
  if (!note) return;
  const { entities, patientIds } = auditSubjectsOf(resource);
  for (const entity of entities) note.entities.add(entity);
  for (const patientId of patientIds) note.patientIds.add(patientId);
}

/** Notes accessed references and patients by id. */
export function noteAccess(request: Request | undefined, access: { readonly entities?: readonly string[]; readonly patientIds?: readonly string[]; readonly action?: AuditAction; readonly interaction?: AuditInteraction }): void {
  const note = auditNoteOf(request);
  if (!note) return;
  for (const entity of access.entities ?? []) note.entities.add(entity);
  for (const patientId of access.patientIds ?? []) note.patientIds.add(patientId);
  if (access.action) note.action = access.action;
  if (access.interaction) note.interaction = access.interaction;
}

/** Builds AuditEvents of requests (BALP shape from libs/fhir) and appends them to the trail. */
export class AuditTrail {
  constructor(
    readonly store: AuditStore,
    private readonly fhir: FhirConfig,
    private readonly clock: Clock,
  ) {}

  /** Starts the note of an audited request. */
  open(request: Request, route: AuditedRoute): AuditNote {
    const query = request.originalUrl.includes('?') ? request.originalUrl.slice(request.originalUrl.indexOf('?') + 1) : undefined;
    const note: AuditNote = {
      action: route.action,
      interaction: route.interaction,
      entities: new Set(route.entity ? [route.entity] : []),
      patientIds: new Set(route.patientId ? [route.patientId] : []),
      query: route.interaction === 'search-type' || route.interaction === 'operation' ? query : undefined,
      recordedInTransaction: false,
      builtInTransaction: false,
    };
    NOTES.set(request, note);
    return note;
  }

  /** The AuditEvent of a request as it stands, with the status it is answered with. */
  event(request: Request, status: number, extra: { readonly entities?: readonly string[]; readonly patientIds?: readonly string[] } = {}): NewAuditEvent {
    const note = NOTES.get(request);
    return this.access({
      action: note?.action ?? 'E',
      interaction: note?.interaction ?? 'operation',
      status: status < 400 && note?.outcomeStatus !== undefined ? note.outcomeStatus : status,
      principal: principalOf(request),
      sourceAddress: request.ip ?? request.socket.remoteAddress,
      patientIds: [...(note?.patientIds ?? []), ...(extra.patientIds ?? [])],
      entities: [...(note?.entities ?? []), ...(extra.entities ?? [])],
      requestId: typeof request.headers['x-request-id'] === 'string' ? request.headers['x-request-id'] : undefined,
      query: note?.query,
      description: `${request.method} ${request.path}`,
    });
  }

  /** The AuditEvent of one access, whatever transport it came by (HTTP request, graphql-ws subscription). */
  access(facts: AccessFacts): NewAuditEvent {
    const { principal } = facts;
    const input: AuditInput = {
      id: randomUUID(),
      recorded: this.clock.now(),
      action: facts.action,
      interaction: facts.interaction,
      status: facts.status,
      agent: { clientId: principal?.clientId, subject: principal?.subject, fhirUser: principal?.fhirUser, sourceAddress: facts.sourceAddress },
      patientIds: facts.patientIds,
      entities: facts.entities,
      requestId: facts.requestId,
      query: facts.query,
      description: facts.description,
    };
    return { input, resource: buildAuditEvent(this.fhir, input) };
  }

  /**
   * A builder of the event to write inside the transaction of the write it records (what the write
   * names is added); undefined when the request is not audited. Call `committed` once it committed.
   */
  forTransaction(request: Request | undefined): ((status: number, extra: { readonly entities?: readonly string[]; readonly patientIds?: readonly string[] }) => NewAuditEvent) | undefined {
    const note = auditNoteOf(request);
    if (!request || !note) return undefined;
    return (status, extra) => {
      note.builtInTransaction = true;
      return this.event(request, status, extra);
    };
  }

  /** The write and its event committed together: the response hook writes nothing more. */
  committed(request: Request | undefined): void {
    const note = auditNoteOf(request);
    // Only when a transaction wrote it: some paths (an EHR reference) record nothing themselves.
    if (note?.builtInTransaction) note.recordedInTransaction = true;
  }

  /** A failure answered with HTTP 200 (GraphQL errors): the AuditEvent records this status instead. */
  noteOutcome(request: Request | undefined, status: number): void {
    const note = auditNoteOf(request);
    if (note && (note.outcomeStatus === undefined || status > note.outcomeStatus)) note.outcomeStatus = status;
  }

  /** Appends the request's event (the response hook, for reads and refusals). */
  async record(request: Request, status: number): Promise<void> {
    await this.store.record(this.event(request, status));
  }
}
