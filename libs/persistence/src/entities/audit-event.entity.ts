import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One AuditEvent (an access to patient data), as served, with the columns its searches use
 * (patient, agent, entity, date). Append-only; rows older than the retention period are purged.
 */
@Entity({ name: 'audit_event' })
export class AuditEventEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'timestamptz' }) recorded!: Date;
  @Column({ type: 'text' }) action!: string;
  @Column({ type: 'text' }) outcome!: string;
  @Column({ name: 'http_status', type: 'integer' }) httpStatus!: number;
  @Column({ name: 'client_id', type: 'text', nullable: true }) clientId!: string | null;
  @Column({ type: 'text', nullable: true }) subject!: string | null;
  @Column({ name: 'fhir_user', type: 'text', nullable: true }) fhirUser!: string | null;
  @Column({ name: 'source_address', type: 'text', nullable: true }) sourceAddress!: string | null;
  @Column({ name: 'patient_ids', type: 'text', array: true }) patientIds!: string[];
  @Column({ type: 'text', array: true }) entities!: string[];
  @Column({ name: 'request_id', type: 'text', nullable: true }) requestId!: string | null;
  @Column({ type: 'jsonb' }) resource!: fhir4.AuditEvent;
}
