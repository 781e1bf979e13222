import { AppError, createLogger } from '@brixia/common';
import { loadConfig } from './config';
import { createHttpApp } from './http-app';
import { createRuntime } from './runtime';
import { entryPointUrls } from './front-door/front-door-page';
import { assertPortFree } from './infrastructure/port-check';
import { withEmbeddedIssuer } from './dev-issuer/embedded-issuer';

/** Process entry: role `all` (default) serves HTTP and works the queue, `api` only serves, `worker` only works. */
async function main(): Promise<void> {
  const configured = loadConfig();
  const logger = createLogger({ level: configured.logLevel, name: 'brixia', format: configured.logFormat });
  if (configured.role !== 'worker') await assertPortFree(configured.port, configured.host);
  const { config, issuer } = await withEmbeddedIssuer(configured, logger);
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
  const issuerUrl = config.auth.mode === 'off' ? 'off' : config.auth.issuer;
  logger.info({ role: config.role, port: config.port, fhirBase: config.fhir.baseUrl, issuer: issuerUrl, database: runtime.database.mode, urls: entryPointUrls(config.publicBaseUrl) }, 'listening');
  const lines = Object.entries({ ...entryPointUrls(config.publicBaseUrl), 'OpenID issuer': issuerUrl ?? 'none' }).map(([name, url]) => `  ${name.padEnd(26)} ${url}`);
  process.stderr.write(`\nBrixia FHIR is up (research use only, not for diagnosis):\n${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  const code = error instanceof AppError ? error.code : 'INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: 'start-up failed', code, err: message, cause: error instanceof Error && error.cause ? String(error.cause) : undefined })}\n`);
  process.exit(1);
});
