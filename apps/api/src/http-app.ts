import { NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { FhirExceptionFilter } from './infrastructure/fhir-exception.filter';
import { requestIdMiddleware } from './infrastructure/request-id.middleware';
import type { Runtime } from './runtime';
import { AccessGuard } from './auth/access.guard';
import { authenticationMiddleware } from './auth/authentication.middleware';
import { createResourceServer, type ResourceServer } from './auth/resource-server';

/** Builds the HTTP application (used by main and by the end-to-end tests). */
export async function createHttpApp(runtime: Runtime, resourceServer?: ResourceServer): Promise<NestExpressApplication> {
  const server = resourceServer ?? (await createResourceServer(runtime.config.auth, runtime.logger));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime, server), { bodyParser: false, logger: false, abortOnError: false });
  // Before the body parser, so even a malformed body's OperationOutcome carries the request id.
  app.use(requestIdMiddleware);
  // Before the body parser too: an unauthenticated request is refused before its body is read.
  app.use(authenticationMiddleware(server, runtime.logger));
  app.useGlobalGuards(new AccessGuard(app.get(Reflector)));
  app.useBodyParser('json', { type: ['application/json', 'application/fhir+json'], limit: runtime.config.limits.jsonBytes });
  app.useGlobalFilters(new FhirExceptionFilter(runtime.logger, server.audience));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  await app.init();
  return app;
}
