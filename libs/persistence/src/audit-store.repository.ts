import type { DataSource, EntityManager } from 'typeorm';
import { auditOutcomeOf, type AuditInput } from '@brixia/fhir';

/** An AuditEvent to append: the access in domain terms (its search columns) and the FHIR resource served. */
export interface NewAuditEvent {
  readonly input: AuditInput;
  readonly resource: fhir4.AuditEvent;
}

/** `GET /fhir/AuditEvent` parameters, already validated; `agent` matches client id, subject or fhirUser. */
export interface AuditSearch {
  readonly patient?: string;
  readonly agent?: string;
  readonly entity?: string;
  readonly recorded?: ReadonlyArray<{ readonly op: 'ge' | 'gt' | 'le' | 'lt'; readonly at: Date }>;
  readonly limit: number;
  readonly offset: number;
}

const INSERT = `INSERT INTO audit_event (id, recorded, action, outcome, http_status, client_id, subject, fhir_user, source_address, patient_ids, entities, request_id, resource)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
const OPERATORS = { ge: '>=', gt: '>', le: '<=', lt: '<' } as const;

/**
 * Appends one AuditEvent with `manager` (so a write and its audit record commit together, or an
 * audited read's record commits before the response leaves).
 */
export async function insertAuditEvent(manager: EntityManager, event: NewAuditEvent): Promise<void> {
  const { input } = event;
  await manager.query(INSERT, [
    input.id,
    input.recorded,
    input.action,
    auditOutcomeOf(input.status),
    input.status,
    input.agent.clientId ?? null,
    input.agent.subject ?? null,
    input.agent.fhirUser ?? null,
    input.agent.sourceAddress ?? null,
    [...new Set(input.patientIds)],
    [...new Set(input.entities)],
    input.requestId ?? null,
    JSON.stringify(event.resource),
  ]);
}

/** The audit trail: append, read, search (newest first) and the retention purge. */
export class AuditStore {
  constructor(private readonly dataSource: DataSource) {}

  async record(event: NewAuditEvent): Promise<void> {
    await insertAuditEvent(this.dataSource.manager, event);
  }

  async find(id: string): Promise<fhir4.AuditEvent | null> {
    const rows: Array<{ resource: fhir4.AuditEvent }> = await this.dataSource.query(`SELECT resource FROM audit_event WHERE id::text = $1`, [id]);
    return rows[0]?.resource ?? null;
  }

  async search(query: AuditSearch): Promise<{ events: fhir4.AuditEvent[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.patient !== undefined) where.push(`patient_ids @> ARRAY[${param(query.patient)}]::text[]`);
    if (query.entity !== undefined) where.push(`entities @> ARRAY[${param(query.entity)}]::text[]`);
    if (query.agent !== undefined) {
      const agent = param(query.agent);
      where.push(`(client_id = ${agent} OR subject = ${agent} OR fhir_user = ${agent})`);
    }
    for (const bound of query.recorded ?? []) where.push(`recorded ${OPERATORS[bound.op]} ${param(bound.at)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: Array<{ total: string }> = await this.dataSource.query(`SELECT count(*) AS total FROM audit_event ${clause}`, params);
    const rows: Array<{ resource: fhir4.AuditEvent }> = await this.dataSource.query(
      `SELECT resource FROM audit_event ${clause} ORDER BY recorded DESC, id LIMIT ${param(query.limit)} OFFSET ${param(query.offset)}`,
      params,
    );
    return { events: rows.map((row) => row.resource), total: Number(total) };
  }

  /** Retention: deletes the events recorded before `cutoff`; returns how many went. */
  async purgeRecordedBefore(cutoff: Date): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(`DELETE FROM audit_event WHERE recorded < $1`, [cutoff]);
    return Number(result[1] ?? 0);
  }
}
