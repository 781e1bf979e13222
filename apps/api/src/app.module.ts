import { Module, type DynamicModule } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import type { Runtime } from './runtime';
import { RESOURCE_SERVER, RUNTIME } from './infrastructure/tokens';
import { ImagingStudyController } from './fhir/imaging-study.controller';
import { FhirResourcesController } from './fhir/resources.controller';
import { StudiesController } from './rest/studies.controller';
import { PatientsController } from './rest/patients.controller';
import { HealthController } from './rest/health.controller';
import { DeliveryController } from './integration/delivery.controller';
import { SubscriptionController } from './integration/subscription.controller';
import { ObservationLastnController } from './fhir/observation-lastn.controller';
import { ExplanationResourcesController } from './fhir/explanation-resources.controller';
import { RadiographController } from './monitoring/radiograph.controller';
import { DashboardAssetsController } from './dashboard/dashboard-assets.controller';
import { MonitoringGraphqlModule } from './graphql/monitoring-graphql.module';
import { SmartConfigurationController } from './auth/smart-configuration.controller';
import type { ResourceServer } from './auth/resource-server';

/** HTTP transports over a ready Runtime (database migrated, queue started, model loaded). */
@Module({})
export class AppModule {
  static forRoot(runtime: Runtime, resourceServer: ResourceServer): DynamicModule {
    return {
      module: AppModule,
      imports: [MulterModule.register({ storage: memoryStorage(), limits: { fileSize: runtime.config.limits.uploadBytes, files: 1, fields: 10 } }), MonitoringGraphqlModule.forRoot(runtime, resourceServer)],
      controllers: [SmartConfigurationController, ObservationLastnController, ExplanationResourcesController, RadiographController, DashboardAssetsController, ImagingStudyController, FhirResourcesController, StudiesController, PatientsController, HealthController, DeliveryController, SubscriptionController],
      providers: [{ provide: RUNTIME, useValue: runtime }, { provide: RESOURCE_SERVER, useValue: resourceServer }],
    };
  }
}
