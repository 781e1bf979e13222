import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { FhirExceptionFilter } from './infrastructure/fhir-exception.filter';
import { requestIdMiddleware } from './infrastructure/request-id.middleware';
import type { Runtime } from './runtime';
import { mountApiDocs } from './front-door/api-docs';
import { SOFTWARE_VERSION } from './software-version';
import { EXPLORER_ASSETS_PATH, graphqlExplorerAssets, graphqlExplorerMiddleware } from './front-door/graphql-explorer';
import { GRAPHQL_PATH } from './graphql/monitoring-graphql.module';
import { accessLogMiddleware } from './infrastructure/access-log.middleware';

/** Builds the HTTP application (used by main and by the end-to-end tests). */
export async function createHttpApp(runtime: Runtime): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), { bodyParser: false, logger: false, abortOnError: false });
  // Before the body parser, so even a malformed body's OperationOutcome carries the request id.
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(runtime.logger));
  // Before Apollo: a browser opening /graphql gets the explorer, API calls go on unchanged.
  app.use(GRAPHQL_PATH, graphqlExplorerMiddleware);
  app.use(EXPLORER_ASSETS_PATH, graphqlExplorerAssets);
  app.useBodyParser('json', { type: ['application/json', 'application/fhir+json'], limit: runtime.config.limits.jsonBytes });
  app.useGlobalFilters(new FhirExceptionFilter(runtime.logger));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  mountApiDocs(app, SOFTWARE_VERSION);
  await app.init();
  return app;
}
