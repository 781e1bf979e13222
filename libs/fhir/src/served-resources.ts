import type * as fhir4 from 'fhir/r4';
import { brixiaScoreOperationUrl } from './brixia-score.operation';
import type { FhirConfig } from './config';
import { searchDefinition } from './search';

export type Interaction = 'read' | 'vread' | 'history-instance' | 'history-type' | 'search-type' | 'create' | 'delete';

export interface ServedOperation {
  readonly name: string;
  readonly definition: string;
  readonly documentation?: string;
  /** Where it is invoked: `[type]/$name` or `[type]/[id]/$name`. */
  readonly levels: ReadonlyArray<'type' | 'instance'>;
  readonly methods: ReadonlyArray<'GET' | 'POST'>;
}

export interface ServedResource {
  readonly type: fhir4.CapabilityStatementRestResource['type'];
  readonly interactions: readonly Interaction[];
  readonly documentation: string;
  readonly operations: readonly ServedOperation[];
  readonly supportedProfile?: readonly string[];
}

const VERSIONED: readonly Interaction[] = ['read', 'vread', 'history-instance', 'history-type'];

function withSearch(type: string, interactions: readonly Interaction[]): Interaction[] {
  return searchDefinition(type) ? [...interactions, 'search-type'] : [...interactions];
}

/**
 * What this server serves, per resource type: the one table the CapabilityStatement and the 405
 * `Allow` answers are derived from (with the search registry), so neither can claim what the other
 * does not do.
 */
export function servedResources(config: FhirConfig): readonly ServedResource[] {
  return [
    {
      type: 'Observation',
      interactions: withSearch('Observation', VERSIONED),
      documentation: 'Brixia score results (one per scored radiograph); reviews make new versions.',
      operations: [
        {
          name: 'lastn',
          definition: 'http://hl7.org/fhir/OperationDefinition/Observation-lastn',
          documentation: 'The newest results per patient and code (GET with search parameters, or POST with a Parameters or form body).',
          levels: ['type'],
          methods: ['GET', 'POST'],
        },
      ],
    },
    { type: 'DiagnosticReport', interactions: withSearch('DiagnosticReport', VERSIONED), documentation: 'The report of a result, for EHRs that ingest reports only.', operations: [] },
    { type: 'Provenance', interactions: withSearch('Provenance', VERSIONED), documentation: 'Who made each result: the AI Device, then reviewing clinicians.', operations: [] },
    { type: 'Task', interactions: withSearch('Task', VERSIONED), documentation: 'Status of a scoring request (async pattern); each state change is a version.', operations: [] },
    { type: 'Device', interactions: VERSIONED, documentation: 'The AI model (version and ONNX SHA-256).', operations: [] },
    { type: 'Patient', interactions: withSearch('Patient', VERSIONED), documentation: 'Patients of uploaded studies (identifier from DICOM PatientID/IssuerOfPatientID); compartment search [base]/Patient/[id]/[type].', operations: [] },
    {
      type: 'ImagingStudy',
      interactions: withSearch('ImagingStudy', ['read', 'vread']),
      documentation: 'Studies scored here (uploads, inline, or resolved from an EHR); never rewritten (version 1).',
      operations: [
        {
          name: 'brixia-score',
          definition: brixiaScoreOperationUrl(config),
          documentation: 'Scores the frontal chest radiograph of the study; Prefer: respond-async gives 202 + Content-Location of the Task.',
          levels: ['type', 'instance'],
          methods: ['POST'],
        },
      ],
    },
    { type: 'Media', interactions: withSearch('Media', VERSIONED), documentation: 'Explanation images (heat-map overlays) linked from DiagnosticReport.media.', operations: [] },
    { type: 'Binary', interactions: ['read'], documentation: 'The PNG of an explanation image (raw content unless a FHIR format is asked for).', operations: [] },
    { type: 'CodeSystem', interactions: ['read'], documentation: 'The Brixia CodeSystem (brixia-score).', operations: [] },
    { type: 'OperationDefinition', interactions: ['read'], documentation: 'The $brixia-score OperationDefinition.', operations: [] },
    {
      type: 'Basic',
      interactions: ['read'],
      documentation: 'Basic/brixia-result: the SubscriptionTopic of new and reviewed Brixia results, as R4 carries one (Subscriptions Backport IG: Basic with R5 cross-version extensions; its url is the canonical on the Subscription entry).',
      operations: [],
    },
    {
      type: 'Subscription',
      interactions: withSearch('Subscription', ['read', 'create', 'delete']),
      supportedProfile: ['http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription'],
      documentation: 'rest-hook notifications (history Bundles) for new and reviewed Brixia results; subscriber endpoints are allow-listed.',
      operations: [
        {
          name: 'status',
          definition: 'http://hl7.org/fhir/uv/subscriptions-backport/OperationDefinition/backport-subscription-status',
          documentation: 'SubscriptionStatus of one Subscription ([id]/$status) or of several (type level, id and status parameters).',
          levels: ['type', 'instance'],
          methods: ['GET'],
        },
      ],
    },
  ];
}

/** Which path a request addresses, for the `Allow` of a 405. */
export type InteractionPath =
  | { readonly kind: 'type'; readonly type: string }
  | { readonly kind: 'instance'; readonly type: string }
  | { readonly kind: 'search'; readonly type: string }
  | { readonly kind: 'history'; readonly type: string; readonly level: 'type' | 'instance' }
  | { readonly kind: 'vread'; readonly type: string }
  | { readonly kind: 'operation'; readonly type: string; readonly name: string; readonly level: 'type' | 'instance' };

/** The HTTP methods a path accepts, or undefined when it names nothing this server serves. */
export function allowedMethods(config: FhirConfig, path: InteractionPath): string[] | undefined {
  const resource = servedResources(config).find((candidate) => candidate.type === path.type);
  if (!resource) return undefined;
  const has = (interaction: Interaction): boolean => resource.interactions.includes(interaction);
  switch (path.kind) {
    case 'type':
      return [...(has('search-type') ? ['GET'] : []), ...(has('create') ? ['POST'] : [])];
    case 'instance':
      return [...(has('read') ? ['GET'] : []), ...(has('delete') ? ['DELETE'] : [])];
    case 'search':
      return has('search-type') ? ['POST'] : [];
    case 'history':
      return has(path.level === 'type' ? 'history-type' : 'history-instance') ? ['GET'] : [];
    case 'vread':
      return has('vread') ? ['GET'] : [];
    case 'operation': {
      const operation = resource.operations.find((candidate) => candidate.name === path.name && candidate.levels.includes(path.level));
      return operation ? [...operation.methods] : undefined;
    }
  }
}
