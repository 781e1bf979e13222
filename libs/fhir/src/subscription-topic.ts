import type * as fhir4 from 'fhir/r4';
import { brixiaResultTopicUrl } from './subscription-backport';
import type { FhirConfig } from './config';

// R4 has no SubscriptionTopic resource. The Subscriptions R5 Backport IG (STU 1.1, "Topics in R4") lets an R4
// server publish its topics as Basic resources carrying the R5 SubscriptionTopic elements as cross-version
// extensions (http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic.<element>), Basic.code
// naming the type (http://hl7.org/fhir/fhir-types#SubscriptionTopic).
const XVER = 'http://hl7.org/fhir/5.0/StructureDefinition/extension-SubscriptionTopic';

/** The logical id of the topic definition served at `[base]/Basic/<id>`. */
export const BRIXIA_RESULT_TOPIC_ID = 'brixia-result';

/** The date the topic definition last changed (its content, not the server's start). */
const TOPIC_DATE = '2026-12-02';

/**
 * The topic this service publishes, as a readable definition: a Brixia result Observation was created
 * (scored) or updated (a clinician's review); filterable by patient; notifications carry the Observation
 * (full-resource) or its id (id-only). The CapabilityStatement names it by canonical URL
 * (capabilitystatement-subscriptiontopic-canonical), which is this Basic's `SubscriptionTopic.url`.
 */
export function brixiaResultTopic(config: FhirConfig): fhir4.Basic {
  return {
    resourceType: 'Basic',
    id: BRIXIA_RESULT_TOPIC_ID,
    // R5 SubscriptionTopic.status is a modifier element: a modifier extension in R4.
    modifierExtension: [{ url: `${XVER}.status`, valueCode: 'active' }],
    extension: [
      { url: `${XVER}.url`, valueUri: brixiaResultTopicUrl(config) },
      { url: `${XVER}.version`, valueString: '1' },
      { url: `${XVER}.name`, valueString: 'BrixiaResult' },
      { url: `${XVER}.title`, valueString: 'New or reviewed Brixia score result' },
      { url: `${XVER}.date`, valueDateTime: TOPIC_DATE },
      {
        url: `${XVER}.description`,
        valueMarkdown: 'A Brixia score Observation (AI result, research use) was created when a radiograph was scored, or updated when a clinician reviewed it.',
      },
      {
        url: `${XVER}.resourceTrigger`,
        extension: [
          { url: 'description', valueMarkdown: 'A Brixia score Observation is created or gets a new version.' },
          { url: 'resource', valueUri: 'http://hl7.org/fhir/StructureDefinition/Observation' },
          { url: 'supportedInteraction', valueCode: 'create' },
          { url: 'supportedInteraction', valueCode: 'update' },
        ],
      },
      {
        url: `${XVER}.canFilterBy`,
        extension: [
          { url: 'description', valueMarkdown: 'Only results of one patient: `Observation?patient=Patient/<id>` in backport-filter-criteria.' },
          { url: 'resource', valueUri: 'http://hl7.org/fhir/StructureDefinition/Observation' },
          { url: 'filterParameter', valueString: 'patient' },
        ],
      },
      { url: `${XVER}.notificationShape`, extension: [{ url: 'resource', valueUri: 'http://hl7.org/fhir/StructureDefinition/Observation' }] },
    ],
    code: { coding: [{ system: 'http://hl7.org/fhir/fhir-types', code: 'SubscriptionTopic', display: 'SubscriptionTopic' }] },
    text: {
      status: 'generated',
      div:
        '<div xmlns="http://www.w3.org/1999/xhtml"><p><b>SubscriptionTopic BrixiaResult</b> (R4: Basic, Subscriptions Backport IG)</p>' +
        `<ul><li>URL: ${brixiaResultTopicUrl(config).replace(/&/g, '&amp;').replace(/</g, '&lt;')}</li><li>Trigger: Observation create or update (a Brixia score result)</li>` +
        '<li>Filter: patient</li><li>Payloads: empty, id-only, full-resource</li></ul></div>',
    },
  };
}
