import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataSource, type MigrationInterface } from 'typeorm';
import { AppError, type Logger, silentLogger } from '@brixia/common';
import { ENTITIES } from './entities';

export interface DatabaseConfig {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  readonly url?: string;
  /** Embedded mode: PGlite data directory, or 'memory://' for a throw-away database. */
  readonly embeddedDataDir?: string;
  /** Pool size for PostgreSQL mode (embedded mode always uses one connection). */
  readonly poolSize?: number;
  readonly migrations: ReadonlyArray<new () => MigrationInterface>;
  /**
   * Apply pending migrations at start (default true). False where a separate migrations step owns
   * the schema (the Kubernetes migrations Job): the process then reports not ready while any is pending.
   */
  readonly runMigrations?: boolean;
}

/** What readiness needs to know about the database. */
export interface DatabaseHealth {
  readonly reachable: boolean;
  /** Migrations of this build not yet applied; null when the database is unreachable. */
  readonly migrationsPending: boolean | null;
}

export interface Database {
  readonly dataSource: DataSource;
  readonly mode: 'postgres' | 'embedded';
  /** One round trip and a migrations check; never throws. */
  health(): Promise<DatabaseHealth>;
  close(): Promise<void>;
}

/**
 * Opens the database and applies pending migrations (never `synchronize`).
 *
 * Embedded mode runs PGlite in-process behind pglite-socket, so TypeORM and pg-boss speak the
 * ordinary Postgres protocol to it, over ONE connection: PGlite is a single session, and one
 * connection makes transactions safe from interleaving (pg-boss shares it, see pg-boss-queue).
 */
export async function openDatabase(config: DatabaseConfig, logger: Logger = silentLogger): Promise<Database> {
  const started = Date.now();
  let stopEmbedded: (() => Promise<void>) | undefined;
  let url = config.url;
  let poolSize = config.poolSize ?? 10;
  if (!url) {
    const embedded = await startEmbeddedPostgres(config.embeddedDataDir ?? 'memory://');
    url = embedded.url;
    stopEmbedded = embedded.stop;
    poolSize = 1;
  }
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [...config.migrations],
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
  });
  try {
    await dataSource.initialize();
    const applied = config.runMigrations === false ? [] : await dataSource.runMigrations({ transaction: 'each' });
    logger.info(
      { mode: stopEmbedded ? 'embedded' : 'postgres', migrationsApplied: applied.map((m) => m.name), durationMs: Date.now() - started },
      'database ready',
    );
  } catch (error) {
    await dataSource.destroy().catch(() => undefined);
    await stopEmbedded?.();
    throw new AppError('CONFIG.INVALID', 'Database unavailable or migrations failed', { cause: error });
  }
  return {
    dataSource,
    mode: stopEmbedded ? 'embedded' : 'postgres',
    async health(): Promise<DatabaseHealth> {
      try {
        await dataSource.query('SELECT 1');
        return { reachable: true, migrationsPending: await dataSource.showMigrations() };
      } catch {
        return { reachable: false, migrationsPending: null };
      }
    },
    async close(): Promise<void> {
      if (dataSource.isInitialized) await dataSource.destroy();
      await stopEmbedded?.();
    },
  };
}

async function startEmbeddedPostgres(dataDir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
