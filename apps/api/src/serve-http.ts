import type { Logger } from '@brixia/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp } from './http-app';
import { entryPointUrls } from './front-door/front-door-page';
import type { Runtime } from './runtime';

/**
 * Roles `all` and `api`: the Nest application (REST, FHIR, GraphQL, dashboard, API docs) on PORT.
 * Kept out of main.ts's static imports: a worker never loads it (see main.ts).
 */
export async function serveHttp(runtime: Runtime, logger: Logger): Promise<NestExpressApplication> {
  const { config } = runtime;
  const app = await createHttpApp(runtime);
  await app.listen(config.port, config.host);
  const issuerUrl = config.auth.mode === 'off' ? 'off' : config.auth.issuer;
  logger.info({ role: config.role, port: config.port, fhirBase: config.fhir.baseUrl, issuer: issuerUrl, database: runtime.database.mode, urls: entryPointUrls(config.publicBaseUrl) }, 'listening');
  const lines = Object.entries({ ...entryPointUrls(config.publicBaseUrl), 'OpenID issuer': issuerUrl ?? 'none' }).map(([name, url]) => `  ${name.padEnd(26)} ${url}`);
  process.stderr.write(`\nBrixia FHIR is up (research use only, not for diagnosis):\n${lines.join('\n')}\n\n`);
  return app;
}
