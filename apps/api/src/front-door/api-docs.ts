import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Where the interactive docs live; the JSON document is served at `/api/docs-json`. */
export const API_DOCS_PATH = 'api/docs';

/** The JSON API; the FHIR REST API (/fhir) is described by its CapabilityStatement instead. */
const API_V1_PREFIX = '/api/v1/';

/** The OpenAPI 3 document of `/api/v1`, generated from the controllers' decorators. */
export function buildApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Brixia FHIR — JSON API (/api/v1)')
    .setDescription(
      'Uploads for scoring, per-patient timelines, delivery state and display images. Research use only, not for diagnosis. ' +
        'Errors are FHIR OperationOutcomes (application/fhir+json) with the error code in issue.details.text. ' +
        'The FHIR R4 REST API (/fhir) is described by its CapabilityStatement at /fhir/metadata.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'SMART on FHIR access token' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { operationIdFactory: (controller, method) => `${controller.replace(/Controller$/, '')}_${method}` });
  // One app serves FHIR, GraphQL, the dashboard and /api/v1; this document describes only /api/v1.
  document.paths = Object.fromEntries(Object.entries(document.paths).filter(([path]) => path.startsWith(API_V1_PREFIX)));
  return document;
}

/** Serves the interactive docs (swagger-ui-dist from npm: no CDN, hospital networks are often offline). */
export function mountApiDocs(app: INestApplication, version: string): void {
  SwaggerModule.setup(API_DOCS_PATH, app, () => buildApiDocument(app, version), {
    customSiteTitle: 'Brixia FHIR — API docs',
    jsonDocumentUrl: `${API_DOCS_PATH}-json`,
    swaggerOptions: { persistAuthorization: false, tryItOutEnabled: false },
  });
}
