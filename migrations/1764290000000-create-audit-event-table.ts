import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: one row per access to patient data (IHE BALP AuditEvent as served, plus the
 * columns of its searches). GIN indexes serve `patient=` and `entity=` (array containment), a
 * b-tree on `recorded` serves `date=`, the retention purge and the default newest-first order.
 */
export class CreateAuditEventTable1764290000000 implements MigrationInterface {
  name = 'CreateAuditEventTable1764290000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_event (
        id uuid PRIMARY KEY,
        recorded timestamptz NOT NULL,
        action text NOT NULL CHECK (action IN ('C','R','U','D','E')),
        outcome text NOT NULL CHECK (outcome IN ('0','4','8','12')),
        http_status integer NOT NULL,
        client_id text,
        subject text,
        fhir_user text,
        source_address text,
        patient_ids text[] NOT NULL,
        entities text[] NOT NULL,
        request_id text,
        resource jsonb NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX audit_event_recorded_idx ON audit_event (recorded DESC, id)`);
    await queryRunner.query(`CREATE INDEX audit_event_patient_idx ON audit_event USING gin (patient_ids)`);
    await queryRunner.query(`CREATE INDEX audit_event_entity_idx ON audit_event USING gin (entities)`);
    await queryRunner.query(`CREATE INDEX audit_event_client_idx ON audit_event (client_id)`);
    await queryRunner.query(`CREATE INDEX audit_event_request_idx ON audit_event (request_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_event`);
  }
}
