import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import type { Runtime } from './runtime';
import { RESOURCE_SERVER } from './infrastructure/tokens';
import { runtimeProviders } from './infrastructure/runtime-providers';
import { ImagingStudyController } from './fhir/imaging-study.controller';
import { FhirResourcesController } from './fhir/resources.controller';
import { StudiesController } from './rest/studies.controller';
import { PatientsController } from './rest/patients.controller';
import { HealthController } from './rest/health.controller';
import { DeliveryController } from './integration/delivery.controller';
import { SubscriptionController } from './integration/subscription.controller';
import { ObservationLastnController } from './fhir/observation-lastn.controller';
import { FhirSearchController } from './fhir/search.controller';
import { FhirHistoryController } from './fhir/history.controller';
import { FhirMethodFallbackController } from './fhir/method-fallback.controller';
import { ExplanationResourcesController } from './fhir/explanation-resources.controller';
import { RadiographController } from './monitoring/radiograph.controller';
import { DashboardAssetsController } from './dashboard/dashboard-assets.controller';
import { MonitoringGraphqlModule } from './graphql/monitoring-graphql.module';
import { FrontDoorController } from './front-door/front-door.controller';
import { AuditEventController } from './audit/audit-event.controller';
import { RateLimitInterceptor } from './infrastructure/rate-limit.interceptor';
import { SmartConfigurationController } from './auth/smart-configuration.controller';
import type { ResourceServer } from './auth/resource-server';

/** HTTP transports over a ready Runtime (database migrated, queue started, model loaded). */
@Module({})
export class AppModule {
  static forRoot(runtime: Runtime, resourceServer: ResourceServer): DynamicModule {
    return {
      module: AppModule,
      imports: [MulterModule.register({ storage: memoryStorage(), limits: { fileSize: runtime.config.limits.uploadBytes, files: 1, fields: 10 } }), MonitoringGraphqlModule.forRoot(runtime, resourceServer)],
      // Order matters: the history routes right after $lastn; the generic search, then the 405 fallback, last.
      controllers: [
        SmartConfigurationController,
        FrontDoorController,
        ObservationLastnController,
        FhirHistoryController,
        ExplanationResourcesController,
        RadiographController,
        DashboardAssetsController,
        ImagingStudyController,
        FhirResourcesController,
        StudiesController,
        PatientsController,
        HealthController,
        DeliveryController,
        SubscriptionController,
        AuditEventController,
        FhirSearchController,
        FhirMethodFallbackController,
      ],
      providers: [
        ...runtimeProviders(runtime),
        { provide: RESOURCE_SERVER, useValue: resourceServer },
        { provide: APP_INTERCEPTOR, inject: [Reflector], useFactory: (reflector: Reflector) => new RateLimitInterceptor(reflector, runtime.config.http.rateLimits) },
      ],
    };
  }
}
