import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every audited read pays for each index of audit_event on its path (the INSERT commits before the
 * response leaves), so the table keeps only the indexes a query uses. Two served none:
 * - audit_event_request_idx: nothing looks events up by request id;
 * - audit_event_client_idx: the `agent=` search matches client id OR sub OR fhirUser, and a b-tree on one
 *   of the three cannot serve the OR (the planner scans by `recorded` or sequentially either way).
 * The GIN indexes (patient=, entity=) and the b-tree on `recorded` (date=, order, retention) stay.
 */
export class DropUnusedAuditIndexes1764320000000 implements MigrationInterface {
  name = 'DropUnusedAuditIndexes1764320000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS audit_event_request_idx`);
    await queryRunner.query(`DROP INDEX IF EXISTS audit_event_client_idx`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS audit_event_client_idx ON audit_event (client_id)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS audit_event_request_idx ON audit_event (request_id)`);
  }
}
