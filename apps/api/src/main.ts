import { AppError, createLogger } from '@brixia/common';
import { loadConfig } from './config';
import { createHttpApp } from './http-app';
import { createRuntime } from './runtime';
import { withEmbeddedIssuer } from './dev-issuer/embedded-issuer';

/** Process entry: role `all` (default) serves HTTP and works the queue, `api` only serves, `worker` only works. */
async function main(): Promise<void> {
  const logger = createLogger({ level: loadConfig().logLevel, name: 'brixia' });
  const { config, issuer } = await withEmbeddedIssuer(loadConfig(), logger);
  const runtime = await createRuntime(config, logger);
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down');
    try {
      await runtime.close();
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
    logger.info({ role: config.role }, 'worker ready');
    return;
  }
  const app = await createHttpApp(runtime);
  await app.listen(config.port, config.host);
  logger.info({ role: config.role, port: config.port, fhirBase: config.fhir.baseUrl, issuer: config.auth.mode === 'off' ? 'off' : config.auth.issuer, database: runtime.database.mode }, 'listening');
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', code, err: message, cause: error instanceof Error && error.cause ? String(error.cause) : undefined })}\n`);
  process.exit(1);
});
