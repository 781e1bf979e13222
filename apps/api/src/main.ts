// Nest's decorators need the Reflect metadata API before any controller module loads (the compiled
// image has no tools/register.js to provide it).
import 'reflect-metadata';
import type { Server } from 'node:http';
import { AppError, createLogger } from '@brixia/common';
import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase } from '@brixia/persistence';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from './config';
import { startOperationsServer } from './operations/operations-server';
import { operationsEndpoints } from './operations/operations-endpoints';
import { createRuntime } from './runtime';
import { assertPortFree } from './infrastructure/port-check';
import { withEmbeddedIssuer } from './dev-issuer/embedded-issuer';

/**
 * The HTTP side (Nest, GraphQL, Swagger, Apollo: about 1,700 of the 2,700 modules of role `all`) is
 * required only by the roles that serve it, so a worker's start skips seconds of module loading on
 * busy cores. A require, not import(): .swcrc keeps import() as Node's ESM import, which cannot
 * resolve the TypeScript sources `npm start` runs.
 */
function loadHttpServing(): typeof import('./serve-http') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (above)
  return require('./serve-http') as typeof import('./serve-http');
}

/**
 * Process entry: role `all` (default) serves HTTP and works the queue, `api` only serves, `worker`
 * only works (with a small operations port for probes and metrics), `migrate` applies the
 * migrations and exits (the Kubernetes migrations Job).
 */
async function main(): Promise<void> {
  const configured = loadConfig();
  const logger = createLogger({ level: configured.logLevel, name: 'brixia', format: configured.logFormat });
  if (configured.role === 'migrate') {
    const database = await openDatabase({ ...configured.database, runMigrations: true, migrations: MIGRATIONS }, logger);
    await database.close();
    logger.info({ role: configured.role }, 'migrations applied');
    return;
  }
  // A worker binds PORT too (its operations port for probes and metrics).
  await assertPortFree(configured.port, configured.host);
  const { config, issuer } = await withEmbeddedIssuer(configured, logger);
  const runtime = await createRuntime(config, logger);
  // Filled in below; the signal handlers close whatever exists by then.
  const served: { app?: NestExpressApplication; operations?: Server } = {};
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal, deadlineMs: config.operations.shutdownDeadlineMs }, 'shutting down');
    runtime.beginDrain();
    try {
      // Stop accepting connections (in-flight requests finish), then stop the queue within the deadline.
      await served.app?.close();
      await runtime.close();
      await new Promise<void>((resolve) => (served.operations ? served.operations.close(() => resolve()) : resolve()));
      await issuer?.close();
      process.exit(0);
    } catch (error) {
      logger.error({ signal, err: error instanceof Error ? error.message : String(error) }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  if (config.role === 'worker') {
    served.operations = await startOperationsServer(
      operationsEndpoints(runtime),
      config.port,
      config.host,
      logger,
    );
    logger.info({ role: config.role, operationsPort: config.port }, 'worker ready');
    return;
  }
  served.app = await loadHttpServing().serveHttp(runtime, logger);
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', code, err: message, cause: error instanceof Error && error.cause ? String(error.cause) : undefined })}\n`);
  process.exit(1);
});
