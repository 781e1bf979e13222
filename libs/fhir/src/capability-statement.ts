import type * as fhir4 from 'fhir/r4';
import { apiBase, canonical, type FhirConfig } from './config';
import { assertDateTime } from './primitives';
import { searchDefinition } from './search';
import { servedResources, type ServedResource } from './served-resources';
import { brixiaResultTopicUrl } from './subscription-backport';

/** Result parameters honoured on every search (they have no SearchParameter resource). */
const RESULT_PARAMETERS: fhir4.CapabilityStatementRestResourceSearchParam[] = [
  { name: '_count', type: 'number', documentation: 'Page size (at most 100).' },
  { name: '_offset', type: 'number', documentation: 'Paging offset (the Bundle next/previous links carry it).' },
  { name: '_summary', type: 'token', documentation: 'count (the total only) or false.' },
  { name: '_elements', type: 'string', documentation: 'Top-level elements to return (mandatory ones are kept); the result is tagged SUBSETTED.' },
];

/** The search part of a resource's entry, generated from the search registry (what is declared is what works). */
function searchCapabilities(type: string): Partial<fhir4.CapabilityStatementRestResource> {
  const definition = searchDefinition(type);
  if (!definition) return {};
  const sort: fhir4.CapabilityStatementRestResourceSearchParam[] =
    definition.sorts.length > 0 ? [{ name: '_sort', type: 'string', documentation: `${definition.sorts.join(', ')}, or with - for descending.` }] : [];
  return {
    searchParam: [
      ...definition.params.map((param) => ({ name: param.name, definition: param.definition, type: param.type, documentation: param.documentation })),
      ...RESULT_PARAMETERS,
      ...sort,
    ],
    ...(definition.includes.length > 0 ? { searchInclude: definition.includes.map((include) => include.value) } : {}),
    ...(definition.revincludes.length > 0 ? { searchRevInclude: definition.revincludes.map((include) => include.value) } : {}),
  };
}

/** Backport IG: advertises the SubscriptionTopic canonicals on the Subscription entry (CapabilityStatement.rest.resource). */
export const SUBSCRIPTION_TOPIC_CANONICAL_EXTENSION = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/capabilitystatement-subscriptiontopic-canonical';

function resourceEntry(config: FhirConfig, served: ServedResource): fhir4.CapabilityStatementRestResource {
  const versioned = served.interactions.includes('vread');
  return {
    ...(served.type === 'Subscription' ? { extension: [{ url: SUBSCRIPTION_TOPIC_CANONICAL_EXTENSION, valueCanonical: brixiaResultTopicUrl(config) }] } : {}),
    type: served.type,
    ...(served.supportedProfile ? { supportedProfile: [...served.supportedProfile] } : {}),
    documentation: served.documentation,
    interaction: served.interactions.map((code) => ({ code })),
    ...(versioned ? { versioning: 'versioned' as const, readHistory: served.interactions.includes('history-instance'), conditionalRead: 'full-support' as const } : { versioning: 'no-version' as const }),
    ...searchCapabilities(served.type),
    ...(served.operations.length > 0
      ? { operation: served.operations.map((operation) => ({ name: operation.name, definition: operation.definition, ...(operation.documentation ? { documentation: operation.documentation } : {}) })) }
      : {}),
  };
}

/**
 * The CapabilityStatement served at `[base]/metadata`, generated from the served-resources table and
 * the search registry: exactly the interactions, search parameters, operations and versioning this
 * server implements; JSON only.
 */
export function capabilityStatement(config: FhirConfig, input: { softwareVersion: string; now: string }): fhir4.CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    url: `${canonical(config)}/CapabilityStatement/brixia-fhir`,
    version: input.softwareVersion,
    name: 'BrixiaFhirServer',
    title: 'Brixia score FHIR server',
    status: 'active',
    experimental: false,
    date: assertDateTime(input.now, 'now'),
    publisher: 'Brixia FHIR service',
    description: 'Brixia score (BS-Net) of COVID-19 pneumonia severity on frontal chest radiographs, as FHIR R4. Research use only; not for diagnosis.',
    kind: 'instance',
    software: { name: 'brixia-fhir', version: input.softwareVersion },
    implementation: { description: 'Brixia score FHIR API', url: apiBase(config.baseUrl) },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Unsupported search parameters are ignored and left out of the self link; with Prefer: handling=strict they are a 400. ' +
          'Interactions not listed answer 405 with Allow; XML answers 406.',
        resource: servedResources(config).map((served) => resourceEntry(config, served)),
      },
    ],
  };
}
