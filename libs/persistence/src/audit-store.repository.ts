import type { Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
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
/** The INSERT as a named prepared statement: each pooled connection parses and plans it once, not per event. */
const PREPARED_INSERT = { name: 'audit_event_insert', text: INSERT } as const;
const OPERATORS = { ge: '>=', gt: '>', le: '<=', lt: '<' } as const;

function insertValues(event: NewAuditEvent): unknown[] {
  const { input } = event;
  return [
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
  ];
}

/** Appends one AuditEvent with `manager`: inside the transaction of a write, the write and its event commit together. */
export async function insertAuditEvent(manager: EntityManager, event: NewAuditEvent): Promise<void> {
  await manager.query(INSERT, insertValues(event));
}

/** The audit trail: append, read, search (newest first) and the retention purge. */
export class AuditStore {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends one AuditEvent on its own (an audited read, a refusal): a single autocommit INSERT, so it is
   * durable (WAL flushed) when this resolves; the response it records is held until then.
   */
  async record(event: NewAuditEvent): Promise<void> {
    // Straight to the pool TypeORM opened (its driver's `master`): one statement needs no ORM query runner around it.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    await pool.query({ ...PREPARED_INSERT, values: insertValues(event) });
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
