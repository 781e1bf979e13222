import { AppError, createLogger } from '@brixia/common';
import { loadConfig } from './config';
import { createHttpApp } from './http-app';
import { createRuntime } from './runtime';
import { entryPointUrls } from './front-door/front-door-page';
import { assertPortFree } from './infrastructure/port-check';

/** Process entry: role `all` (default) serves HTTP and works the queue, `api` only serves, `worker` only works. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'brixia', format: config.logFormat });
  if (config.role !== 'worker') await assertPortFree(config.port, config.host);
  const runtime = await createRuntime(config, logger);
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down');
    try {
      await runtime.close();
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
  logger.info({ role: config.role, port: config.port, fhirBase: config.fhir.baseUrl, database: runtime.database.mode, urls: entryPointUrls(config.publicBaseUrl) }, 'listening');
  process.stderr.write(`\nBrixia FHIR is up (research use only, not for diagnosis):\n${Object.entries(entryPointUrls(config.publicBaseUrl)).map(([name, url]) => `  ${name.padEnd(26)} ${url}`).join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', code, err: message, cause: error instanceof Error && error.cause ? String(error.cause) : undefined })}\n`);
  process.exit(1);
});
