import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { unwrapResolverError } from '@apollo/server/errors';
import { getArgumentValues, getOperationAST, GraphQLError, Kind, type ExecutionArgs, type ExecutionResult, type FieldNode } from 'graphql';
import { ERROR_TABLE, isAppError, type Logger } from '@brixia/common';
import type { AuditTrail } from './audit-trail';
import type { Principal } from './principal';

/** What a starting subscription's resolver says it follows (its effective filter), kept in its GraphQL context. */
export interface SubscriptionAuditNote {
  readonly patientIds: Set<string>;
  readonly entities: Set<string>;
}

export function newSubscriptionAuditNote(): SubscriptionAuditNote {
  return { patientIds: new Set(), entities: new Set() };
}

/** Notes what a subscription follows; a no-op outside a graphql-ws subscription (no note in the context). */
export function noteSubscribed(context: { readonly subscriptionAudit?: SubscriptionAuditNote } | undefined, access: { readonly patientIds?: ReadonlyArray<string | null | undefined>; readonly entities?: readonly string[] }): void {
  const note = context?.subscriptionAudit;
  if (!note) return;
  for (const patientId of access.patientIds ?? []) if (patientId) note.patientIds.add(patientId);
  for (const entity of access.entities ?? []) note.entities.add(entity);
}

/** graphql-ws's `extra` of one connection (its ws adapter's upgrade request), plus what this service keeps there. */
interface ConnectionExtra {
  readonly request?: IncomingMessage;
  principal?: Principal;
  /** The connection's request id: its upgrade request's X-Request-ID when a safe token, else made up once. */
  auditRequestId?: string;
}

const SAFE_ID = /^[A-Za-z0-9\-._]{1,64}$/;
/** A FHIR id: what an argument must be to be recorded as a reference (anything else matches nothing anyway). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** The subscription document goes on the event as BALP's Query entity, up to this length. */
const MAX_QUERY_CHARS = 4096;
/** Arguments of the subscription root fields that name what is followed. */
const PATIENT_ARGUMENT = 'patientId';
const TASK_ARGUMENT = 'taskId';

/**
 * Audits graphql-ws: one AuditEvent per subscription start (outcome success, or the refusal's status:
 * 403 scope, 404 another patient's data for a patient token), and one per connection refused for a
 * missing or invalid token (401). As for HTTP reads, a started subscription's event commits before
 * its first payload can be sent: graphql-ws awaits onOperation before it reads the event stream. When
 * the event cannot be written the subscription is ended with AUDIT.UNAVAILABLE (no audit, no data).
 */
export class SubscriptionAudit {
  constructor(
    private readonly trail: AuditTrail,
    private readonly logger: Logger,
  ) {}

  /** connection_init refused: no token, or one that failed verification. Never throws (the refusal stands). */
  async connectionRefused(extra: unknown): Promise<void> {
    const connection = extra as ConnectionExtra;
    const event = this.trail.access({
      action: 'E',
      interaction: 'operation',
      status: ERROR_TABLE['AUTH.TOKEN_INVALID'].httpStatus,
      sourceAddress: connection.request?.socket.remoteAddress,
      patientIds: [],
      entities: [],
      requestId: requestIdOf(connection),
      description: `graphql-ws connection_init ${pathOf(connection)}`,
    });
    await this.trail.store.record(event).catch((error: unknown) => this.failed(event.input.requestId, error));
  }

  /** graphql-ws's onOperation hook: the subscription has resolved (an event stream, or a refusal). */
  readonly onOperation = async (context: { readonly extra: unknown }, _id: string, payload: { readonly query?: string }, args: ExecutionArgs, result: unknown): Promise<ExecutionResult | void> => {
    const connection = context.extra as ConnectionExtra;
    const started = isAsyncIterable(result);
    const status = started ? 200 : statusOf((result as ExecutionResult).errors ?? []);
    const asked = askedFor(args);
    const noted = (args.contextValue as { subscriptionAudit?: SubscriptionAuditNote } | undefined)?.subscriptionAudit;
    const event = this.trail.access({
      action: 'E',
      interaction: 'operation',
      status,
      principal: connection.principal,
      sourceAddress: connection.request?.socket.remoteAddress,
      patientIds: [...asked.patientIds, ...(noted?.patientIds ?? [])],
      entities: [...asked.entities, ...(noted?.entities ?? [])],
      requestId: requestIdOf(connection),
      query: payload.query?.slice(0, MAX_QUERY_CHARS),
      description: `graphql-ws subscribe ${asked.fields.join(',')} ${pathOf(connection)}`,
    });
    try {
      await this.trail.store.record(event);
      return undefined;
    } catch (error) {
      this.failed(event.input.requestId, error);
      if (!started) return undefined;
      await (result as Partial<AsyncIterator<unknown>>).return?.();
      const spec = ERROR_TABLE['AUDIT.UNAVAILABLE'];
      return { errors: [new GraphQLError('The access could not be audited; try again', { extensions: { code: 'AUDIT.UNAVAILABLE', httpStatus: spec.httpStatus, retryable: spec.retryable } })] };
    }
  };

  private failed(requestId: string | undefined, error: unknown): void {
    this.logger.error({ requestId, transport: 'graphql-ws', err: error instanceof Error ? error.message : String(error) }, 'audit event not recorded');
  }
}

function requestIdOf(connection: ConnectionExtra): string {
  if (!connection.auditRequestId) {
    const given = connection.request?.headers['x-request-id'];
    connection.auditRequestId = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  }
  return connection.auditRequestId;
}

function pathOf(connection: ConnectionExtra): string {
  return (connection.request?.url ?? '').split('?')[0];
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The status a refused subscription records: the error table's, 500 for an unexpected error, 400 otherwise. */
function statusOf(errors: readonly GraphQLError[]): number {
  let status = 0;
  for (const error of errors) {
    const original = error.originalError ? unwrapResolverError(error.originalError) : undefined;
    const code = isAppError(original) ? original.code : undefined;
    status = Math.max(status, code ? ERROR_TABLE[code].httpStatus : original && !(original instanceof GraphQLError) ? 500 : 400);
  }
  return status === 0 ? 400 : status;
}

/** The root fields of the operation and the patient and Task they ask for (also recorded when refused). */
function askedFor(args: ExecutionArgs): { fields: string[]; patientIds: string[]; entities: string[] } {
  const asked = { fields: [] as string[], patientIds: [] as string[], entities: [] as string[] };
  const operation = getOperationAST(args.document, args.operationName);
  const root = args.schema.getSubscriptionType();
  for (const selection of operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue;
    asked.fields.push(selection.name.value);
    const field = root?.getFields()[selection.name.value];
    if (!field) continue;
    const values = argumentValues(field, selection, args.variableValues ?? undefined);
    const [patientId, taskId] = [values[PATIENT_ARGUMENT], values[TASK_ARGUMENT]];
    if (typeof patientId === 'string' && FHIR_ID.test(patientId)) asked.patientIds.push(patientId);
    if (typeof taskId === 'string' && FHIR_ID.test(taskId)) asked.entities.push(`Task/${taskId}`);
  }
  return asked;
}

function argumentValues(field: Parameters<typeof getArgumentValues>[0], node: FieldNode, variables: ExecutionArgs['variableValues']): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, variables ?? undefined);
  } catch {
    // Arguments graphql-js itself refuses: the operation failed before any resolver, nothing was asked of the data.
    return {};
  }
}
