import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { FhirExceptionFilter } from './infrastructure/fhir-exception.filter';
import { requestIdMiddleware } from './infrastructure/request-id.middleware';
import { httpMetricsMiddleware } from './operations/http-metrics.middleware';
import type { Runtime } from './runtime';

/** Builds the HTTP application (used by main and by the end-to-end tests). */
export async function createHttpApp(runtime: Runtime): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), { bodyParser: false, logger: false, abortOnError: false });
  // Before the body parser, so even a malformed body's OperationOutcome carries the request id.
  app.use(requestIdMiddleware);
  app.use(httpMetricsMiddleware(runtime.metrics));
  app.useBodyParser('json', { type: ['application/json', 'application/fhir+json'], limit: runtime.config.limits.jsonBytes });
  app.useGlobalFilters(new FhirExceptionFilter(runtime.logger));
  app.disable('x-powered-by');
  await app.init();
  return app;
}
