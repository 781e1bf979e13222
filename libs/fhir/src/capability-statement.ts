import type * as fhir4 from 'fhir/r4';
import { apiBase, canonical, type FhirConfig } from './config';
import { brixiaScoreOperationUrl } from './brixia-score.operation';
import { assertDateTime } from './primitives';

const SP = 'http://hl7.org/fhir/SearchParameter';

const OBSERVATION_SEARCH: fhir4.CapabilityStatementRestResourceSearchParam[] = [
  { name: 'subject', definition: `${SP}/Observation-subject`, type: 'reference', documentation: 'Patient/<id>; results are served per patient.' },
  { name: 'patient', definition: `${SP}/clinical-patient`, type: 'reference', documentation: 'Same as subject.' },
  { name: 'code', definition: `${SP}/clinical-code`, type: 'token', documentation: 'The Brixia CodeSystem code global ([system|]global).' },
  { name: 'date', definition: `${SP}/clinical-date`, type: 'date', documentation: 'Clinical time (effectiveDateTime = acquisition time); eq/ge/gt/le/lt, repeatable.' },
  // Result parameters, listed so clients can see they are honoured (they have no SearchParameter).
  { name: '_sort', type: 'string', documentation: 'date or -date (clinical time).' },
  { name: '_count', type: 'number', documentation: 'Page size (capped by the server).' },
  { name: '_offset', type: 'number', documentation: 'Paging offset (the Bundle next/previous links carry it).' },
];

function readOnly(type: fhir4.CapabilityStatementRestResource['type'], documentation?: string): fhir4.CapabilityStatementRestResource {
  return { type, interaction: [{ code: 'read' }], ...(documentation ? { documentation } : {}) };
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
            searchParam: OBSERVATION_SEARCH,
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
            interaction: [{ code: 'read' }, { code: 'create' }, { code: 'delete' }],
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
