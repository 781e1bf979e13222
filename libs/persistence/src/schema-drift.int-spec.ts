import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, type Database } from './database';
import { createTestDatabase } from './testing';

/** Style rule 5: the schema changes only through migrations, so the entities must match what they build. */
describe('entities vs migrations (PostgreSQL)', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({ url: await createTestDatabase('persistence_drift'), migrations: MIGRATIONS });
  });

  afterAll(async () => {
    await database?.close();
  });

  it('needs no table or column change after all migrations ran', async () => {
    const pending = await database.dataSource.driver.createSchemaBuilder().log();
    // Indexes, checks, uniques and foreign keys live in the migrations only (entities do not declare
    // them), so TypeORM proposes dropping them; tables and columns must match exactly.
    const drift = pending.upQueries.map((query) => query.query).filter((sql) => !/DROP (CONSTRAINT|INDEX)/.test(sql));
    expect(drift).toEqual([]);
  });
});
