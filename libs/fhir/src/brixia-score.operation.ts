import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { canonical, type FhirConfig } from './config';

/** `${canonicalBase}/OperationDefinition/brixia-score`. */
export function brixiaScoreOperationUrl(config: FhirConfig): string {
  return `${canonical(config)}/OperationDefinition/brixia-score`;
}

/** What a POSTed `Parameters` asks to score. */
export type BrixiaScoreRequest =
  | { readonly kind: 'inline'; readonly imagingStudy: fhir4.ImagingStudy }
  | { readonly kind: 'reference'; readonly reference: string };

const STUDY_PARAMETERS = ['imagingStudy', 'imagingStudyReference'] as const;

function invalid(message: string, expression: string): AppError {
  return new AppError('REQUEST.INVALID', message, { expression: [expression] });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates the body of `POST ImagingStudy/$brixia-score`: a `Parameters` with exactly one
 * `imagingStudy` (an ImagingStudy resource, or a valueReference); the deprecated name
 * `imagingStudyReference` (valueReference only) is still accepted. An inline ImagingStudy must name its Patient subject (the
 * result's subject). Parameters of other names are ignored, as FHIR servers commonly do.
 * Throws AppError REQUEST.INVALID whose expression points at the offending element.
 */
export function parseBrixiaScoreParameters(body: unknown): BrixiaScoreRequest {
  if (!isObject(body)) throw invalid('The body must be a FHIR Parameters resource (a JSON object)', 'Parameters');
  if (body.resourceType !== 'Parameters') throw invalid('The body must be a Parameters resource', 'Parameters.resourceType');
  const parameters = body.parameter;
  if (parameters !== undefined && !Array.isArray(parameters)) throw invalid('Parameters.parameter must be an array', 'Parameters.parameter');
  const matches = (parameters ?? [])
    .map((parameter: unknown, index: number) => ({ parameter, index }))
    .filter(({ parameter }) => isObject(parameter) && (STUDY_PARAMETERS as readonly unknown[]).includes(parameter.name));
  if (matches.length === 0) {
    throw invalid('Give the study to score as parameter imagingStudy (resource or valueReference) or imagingStudyReference', 'Parameters.parameter');
  }
  if (matches.length > 1) throw invalid('Give exactly one imagingStudy or imagingStudyReference parameter', `Parameters.parameter[${matches[1].index}]`);
  const { parameter, index } = matches[0] as { parameter: Record<string, unknown>; index: number };
  const path = `Parameters.parameter[${index}]`;
  if (parameter.resource !== undefined && parameter.valueReference !== undefined) {
    throw invalid('A parameter carries either a resource or a valueReference, not both', path);
  }
  if (parameter.valueReference !== undefined) return { kind: 'reference', reference: parseStudyReference(parameter.valueReference, `${path}.valueReference`) };
  if (parameter.name === 'imagingStudyReference') throw invalid('imagingStudyReference needs a valueReference', `${path}.valueReference`);
  if (parameter.resource === undefined) throw invalid('imagingStudy needs a resource (ImagingStudy) or a valueReference', path);
  return { kind: 'inline', imagingStudy: parseInlineStudy(parameter.resource, `${path}.resource`) };
}

function parseStudyReference(value: unknown, path: string): string {
  if (!isObject(value) || typeof value.reference !== 'string' || value.reference.trim() === '') {
    throw invalid('valueReference needs a reference such as ImagingStudy/<id>', `${path}.reference`);
  }
  const reference = value.reference.trim();
  // Relative `ImagingStudy/<id>` or absolute `<base>/ImagingStudy/<id>`, optionally versioned.
  if (!/(^|\/)ImagingStudy\/[A-Za-z0-9\-.]{1,64}(\/_history\/[A-Za-z0-9\-.]{1,64})?$/.test(reference)) {
    throw invalid('valueReference must point to an ImagingStudy (ImagingStudy/<id>)', `${path}.reference`);
  }
  return reference;
}

function parseInlineStudy(value: unknown, path: string): fhir4.ImagingStudy {
  if (!isObject(value) || value.resourceType !== 'ImagingStudy') throw invalid('The resource must be an ImagingStudy', `${path}.resourceType`);
  const subject = value.subject;
  if (!isObject(subject) || typeof subject.reference !== 'string' || !/(^|\/)Patient\/[A-Za-z0-9\-.]{1,64}$/.test(subject.reference)) {
    throw invalid('The ImagingStudy needs a subject referencing its Patient (Patient/<id>)', `${path}.subject`);
  }
  if (value.status !== undefined && typeof value.status !== 'string') throw invalid('ImagingStudy.status must be a code', `${path}.status`);
  return value as unknown as fhir4.ImagingStudy;
}

/**
 * The OperationDefinition of `$brixia-score` (type and instance level on ImagingStudy). Input: the
 * study, inline or by reference (not needed at instance level). Output: the Observation when the
 * answer is synchronous; with `Prefer: respond-async` the server answers 202 Accepted with
 * Content-Location of the Task instead (http://hl7.org/fhir/R4/async.html).
 */
export function brixiaScoreOperationDefinition(config: FhirConfig): fhir4.OperationDefinition {
  return {
    resourceType: 'OperationDefinition',
    id: 'brixia-score',
    url: brixiaScoreOperationUrl(config),
    version: '1.0.0',
    name: 'BrixiaScore',
    title: 'Score a frontal chest radiograph with BS-Net (Brixia score)',
    status: 'active',
    kind: 'operation',
    publisher: 'Brixia FHIR service',
    description:
      'Scores the frontal (AP/PA) chest radiograph of an ImagingStudy with the BS-Net model and publishes a Brixia score Observation ' +
      '(global 0–18, zones A–F 0–3), a DiagnosticReport and a Provenance. Research use only; not for diagnosis.',
    affectsState: true,
    code: 'brixia-score',
    comment:
      'Idempotent: the same image and model version return the existing Task and result. The study is given in ONE parameter, ' +
      'imagingStudy: an ImagingStudy resource inline, or a valueReference to one (ImagingStudy/<id> here, or an absolute URL on a ' +
      'configured EHR). The earlier name imagingStudyReference is still accepted for a valueReference but deprecated. ' +
      'Synchronous answer: 201 Created (200 for a repeat) with the Observation, Location = the Observation, Content-Location = the Task. ' +
      'With Prefer: respond-async (or past the server wait bound): 202 Accepted, Content-Location = the Task, and the Task as body.',
    resource: ['ImagingStudy'],
    system: false,
    type: true,
    instance: true,
    parameter: [
      {
        name: 'imagingStudy',
        use: 'in',
        min: 0,
        max: '1',
        documentation:
          'The ImagingStudy to score: inline as resource (it must reference its Patient), or as valueReference (Reference(ImagingStudy)). Not used at instance level.',
        type: 'ImagingStudy',
      },
      {
        name: 'return',
        use: 'out',
        min: 0,
        max: '1',
        documentation: 'Synchronous: the Brixia score Observation. Asynchronous (202 Accepted): the Task of the request, also at Content-Location.',
        type: 'Resource',
      },
    ],
  };
}
