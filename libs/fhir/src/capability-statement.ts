import type * as fhir4 from 'fhir/r4';
import { apiBase, canonical, type FhirConfig } from './config';
import { brixiaScoreOperationUrl } from './brixia-score.operation';
import { assertDateTime } from './primitives';
import { searchDefinition } from './search';

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

function readOnly(type: fhir4.CapabilityStatementRestResource['type'], documentation?: string): fhir4.CapabilityStatementRestResource {
  const searchable = searchDefinition(type) !== undefined;
  return {
    type,
    interaction: [{ code: 'read' }, ...(searchable ? [{ code: 'search-type' as const }] : [])],
    ...searchCapabilities(type),
    ...(documentation ? { documentation } : {}),
  };
}

/**
 * The CapabilityStatement served at `[base]/metadata`: what this server does, no more — Observation
 * read + search, Task/Device/CodeSystem/OperationDefinition read, ImagingStudy read and
 * `$brixia-score` (type and instance level); JSON only.
 */
export function capabilityStatement(config: FhirConfig, input: { softwareVersion: string; now: string }): fhir4.CapabilityStatement {
  const operation: fhir4.CapabilityStatementRestResourceOperation = {
    name: 'brixia-score',
    definition: brixiaScoreOperationUrl(config),
    documentation: 'Scores the frontal chest radiograph of the study; Prefer: respond-async gives 202 + the Task.',
  };
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
        resource: [
          {
            type: 'Observation',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            ...searchCapabilities('Observation'),
            // The standard $lastn (HL7 OperationDefinition Observation-lastn), for the Brixia code.
            operation: [{ name: 'lastn', definition: 'http://hl7.org/fhir/OperationDefinition/Observation-lastn' }],
            documentation: 'Brixia score results (one per scored radiograph).',
          },
          readOnly('DiagnosticReport'),
          readOnly('Provenance'),
          readOnly('Task', 'Status of a scoring request (async pattern).'),
          readOnly('Device', 'The AI model (version and ONNX SHA-256).'),
          { ...readOnly('ImagingStudy'), operation: [operation] },
          readOnly('CodeSystem', 'The Brixia CodeSystem (brixia-score).'),
          readOnly('OperationDefinition', 'The $brixia-score OperationDefinition.'),
          readOnly('Media', 'Explanation images (heat-map overlays) linked from DiagnosticReport.media.'),
          readOnly('Binary', 'The PNG of an explanation image (raw content unless a FHIR format is asked for).'),
          {
            type: 'Subscription',
            interaction: [{ code: 'read' }, { code: 'create' }, { code: 'delete' }, { code: 'search-type' }],
            ...searchCapabilities('Subscription'),
            // Subscriptions R5 Backport IG on R4: rest-hook channel, $status required.
            supportedProfile: ['http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription'],
            operation: [{ name: 'status', definition: 'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status' }],
            documentation: 'rest-hook notifications (history Bundles) for new Brixia results; subscriber endpoints are allow-listed.',
          },
        ],
      },
    ],
  };
}
