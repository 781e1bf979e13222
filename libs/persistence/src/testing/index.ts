import { Client } from 'pg';

/** Admin connection to the local PostgreSQL (CI: trust auth on 127.0.0.1:5432, user postgres). */
export const TEST_POSTGRES_ADMIN_URL = process.env['BRIXIA_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Drops and recreates a dedicated `<name>_test` database and returns its URL (style: test
 * databases end in `_test`; never `synchronize`, migrations only).
 */
export async function createTestDatabase(name: string): Promise<string> {
  // BRIXIA_TEST_DB_PREFIX keeps concurrent checkouts on one PostgreSQL from dropping each other's databases.
  const prefix = process.env['BRIXIA_TEST_DB_PREFIX'] ?? '';
  const database = `${`${prefix}${name}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_test`;
  const admin = new Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
export { recordQueries, type QueryRecorder } from './query-recorder';
