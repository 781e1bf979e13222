import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '@brixia/migrations';
import { sampleFhirConfig, sampleModel } from '@brixia/fhir/testing';
import { createStores, openDatabase, type DatabaseConfig } from '@brixia/persistence';
import { createTestDatabase } from '@brixia/persistence/testing';
import { seedResults } from './support/monitoring-seed';
import { startServiceProcess } from './support/process';

const CLIENTS = 8;
/** The kill comes once this many reads were answered 200, while the other clients still have reads in flight. */
const KILL_AFTER_OK = 150;

/**
 * Reads are audited before their response leaves (the response is held until the AuditEvent commits),
 * so a SIGKILL at any moment of a burst cannot lose the event of a read whose 200 a client received.
 */
describe.each([
  ['PostgreSQL', async (): Promise<{ env: Record<string, string>; database: Omit<DatabaseConfig, 'migrations'>; cleanup: () => void }> => {
    const url = await createTestDatabase('audit_durability');
    return { env: { DATABASE_URL: url }, database: { url }, cleanup: () => undefined };
  }],
  ['embedded PGlite (npm start default)', async (): Promise<{ env: Record<string, string>; database: Omit<DatabaseConfig, 'migrations'>; cleanup: () => void }> => {
    const dir = mkdtempSync(join(tmpdir(), 'brixia-audit-'));
    return { env: { BRIXIA_DATA_DIR: dir, DATABASE_URL: '' }, database: { embeddedDataDir: dir }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }],
])('audit durability under SIGKILL (%s)', (_name, prepare) => {
  it('keeps the AuditEvent of every read answered 200 before the kill', async () => {
    const { env, database, cleanup } = await prepare();
    try {
      // Seed results straight into the database the service will open (no model run needed for reads).
      const seeding = await openDatabase({ ...database, migrations: MIGRATIONS });
      const noQueue = { enqueueScoring: async (): Promise<void> => undefined, wake: (): void => undefined };
      const patients = await seedResults(
        createStores(seeding.dataSource, noQueue),
        { patients: 3, studiesPerPatient: 4, withObservations: true, patientPrefix: 'dur', fhir: sampleFhirConfig, model: sampleModel },
      );
      await seeding.close();

      const service = await startServiceProcess({ ...env, BRIXIA_EXPLANATIONS: 'off', LOG_LEVEL: 'warn' }, 180_000);
      const answered: string[] = [];
      const refused: string[] = [];
      let killed: Promise<void> | undefined;
      const paths = patients.flatMap((patient, p) => [`/fhir/Observation?patient=${patient}&_count=2`, `/fhir/Observation/obs-dur-${p}-${p % 4}`, `/api/v1/patients/${patient}/timeline`]);
      const client = async (index: number): Promise<void> => {
        for (let n = 0; !killed; n++) {
          const requestId = `dur-${index}-${n}-${randomUUID()}`;
          try {
            const response = await service.fetch(paths[(index + n) % paths.length], { headers: { 'X-Request-ID': requestId } });
            await response.arrayBuffer();
            if (response.status === 200) answered.push(requestId);
            // A refusal would repeat forever (no kill ever comes): fail at once instead.
            else if (response.status < 500) refused.push(`${response.status} ${requestId}`);
          } catch {
            // Cut off by the kill: no answer, so no event is owed.
            return;
          }
          if ((answered.length >= KILL_AFTER_OK || refused.length > 0) && !killed) killed = service.stop('SIGKILL');
          if (killed) return;
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
      await killed;
      expect(refused).toEqual([]);
      expect(answered.length).toBeGreaterThanOrEqual(KILL_AFTER_OK);

      const reopened = await openDatabase({ ...database, migrations: MIGRATIONS });
      try {
        const rows: Array<{ request_id: string; outcome: string; patient_ids: string[] }> = await reopened.dataSource.query(
          `SELECT request_id, outcome, patient_ids FROM audit_event WHERE request_id = ANY($1)`,
          [answered],
        );
        const recorded = new Set(rows.map((row) => row.request_id));
        expect(answered.filter((id) => !recorded.has(id))).toEqual([]);
        expect(rows).toHaveLength(answered.length);
        for (const row of rows) {
          expect(row.outcome).toBe('0');
          expect(row.patient_ids.length).toBe(1);
        }
      } finally {
        await reopened.close();
      }
    } finally {
      cleanup();
    }
  }, 300_000);
});
