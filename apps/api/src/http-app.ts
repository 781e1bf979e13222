import type { Server } from 'node:http';
import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { auditMiddleware } from './audit/audit.middleware';
import { FhirExceptionFilter } from './infrastructure/fhir-exception.filter';
import { noStore, securityHeaders } from './infrastructure/http-hardening';
import { requestIdMiddleware } from './infrastructure/request-id.middleware';
import { fhirFormatMiddleware } from './infrastructure/fhir-format.middleware';
import type { Runtime } from './runtime';
import { mountApiDocs } from './front-door/api-docs';
import { SOFTWARE_VERSION } from './software-version';
import { EXPLORER_ASSETS_PATH, graphqlExplorerAssets, graphqlExplorerMiddleware } from './front-door/graphql-explorer';
import { GRAPHQL_PATH } from './graphql/monitoring-graphql.module';
import { accessLogMiddleware } from './infrastructure/access-log.middleware';
import { AccessGuard } from './auth/access.guard';
import { authenticationMiddleware } from './auth/authentication.middleware';
import { createResourceServer, type ResourceServer } from './auth/resource-server';

/**
 * Builds the HTTP application (used by main and by the end-to-end tests). `resourceServer` is the
 * token verifier; by default the one the configuration names (auth/resource-server.ts).
 */
export async function createHttpApp(runtime: Runtime, resourceServer?: ResourceServer): Promise<NestExpressApplication> {
  const { config } = runtime;
  const server = resourceServer ?? (await createResourceServer(config.auth, runtime.logger));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime, server), { bodyParser: false, logger: false, abortOnError: false });
  // Before the body parser, so even a malformed body's OperationOutcome carries the request id.
  app.use(requestIdMiddleware);
  app.use(accessLogMiddleware(runtime.logger));
  app.use(securityHeaders(config.publicBaseUrl, config.auth.mode === 'off' ? undefined : config.auth.issuer));
  app.use(noStore);
  // CORS is closed (no Access-Control-Allow-* at all) unless BRIXIA_CORS_ORIGINS lists the browser origins allowed.
  if (config.http.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...config.http.corsOrigins],
      credentials: false,
      methods: ['GET', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Prefer', 'X-Request-ID'],
      exposedHeaders: ['Location', 'Content-Location', 'ETag', 'X-Request-ID', 'Retry-After', 'WWW-Authenticate'],
      maxAge: 600,
    });
  }
  // Before Apollo: a browser opening /graphql gets the explorer (static, no patient data; its queries carry
  // the signed-in user's token), API calls go on unchanged.
  app.use(GRAPHQL_PATH, graphqlExplorerMiddleware);
  app.use(EXPLORER_ASSETS_PATH, graphqlExplorerAssets);
  // Before authentication, the body parser and the routes: refusals of any kind (401/403, 413, 404, 406) are audited too.
  app.use(auditMiddleware(runtime.audit, runtime.logger));
  // Before the body parser too: an unauthenticated request is refused before its body is read.
  app.use(authenticationMiddleware(server, runtime.logger));
  app.useGlobalGuards(new AccessGuard(app.get(Reflector)));
  app.use('/fhir', fhirFormatMiddleware);
  app.useBodyParser('json', { type: ['application/json', 'application/fhir+json'], limit: config.limits.jsonBytes });
  // POST [type]/_search: the form is kept as text and parsed into name/value pairs (repeats kept).
  app.useBodyParser('text', { type: 'application/x-www-form-urlencoded', limit: config.limits.jsonBytes });
  app.useGlobalFilters(new FhirExceptionFilter(runtime.logger, server.audience));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  mountApiDocs(app, SOFTWARE_VERSION);
  // Explicit bounds on slow clients (Node's defaults: 300 s for the request, 60 s for its headers).
  const httpServer = app.getHttpServer() as Server;
  httpServer.requestTimeout = config.http.requestTimeoutMs;
  httpServer.headersTimeout = config.http.headersTimeoutMs;
  await app.init();
  return app;
}
