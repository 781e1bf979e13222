import type * as fhir4 from 'fhir/r4';
import { AppError, type ModelIdentity } from '@brixia/common';
import { aiastSecurity } from './ai-transparency';
import type { FhirConfig } from './config';
import { deviceIdFor } from './model-device';
import { assertInstant, assertFhirId, parseRelativeReference, referenceTo } from './primitives';

export interface ProvenanceInput {
  readonly id: string;
  /** Relative references, e.g. `Observation/x`, `DiagnosticReport/y`. */
  readonly targets: readonly string[];
  readonly recorded: string;
  readonly model: ModelIdentity;
  readonly imagingStudyId?: string;
  readonly activity: 'create' | 'revision';
  /** Required for a revision: the clinician who overrode the score. */
  readonly practitionerId?: string;
  /**
   * A create that replaces another result as its ImagingStudy's timeline point (a better instance of the
   * study): that result's Observation and DiagnosticReport, as entities `revision` (docs/fhir-profile.md).
   */
  readonly supersedes?: readonly string[];
}

const PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const DATA_OPERATION = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';

/**
 * Provenance of a result (docs/fhir-profile.md, AI Transparency IG). `create`: agent = the AI Device (author),
 * entity `source` = the ImagingStudy, meta.security AIAST. `revision`: a clinician's
 * override — agent = the Practitioner (author), entity `revision` = the earlier result, no AI
 * label, as the AI did not assert the revised values; the study stays the source.
 */
export function buildProvenance(_config: FhirConfig, input: ProvenanceInput): fhir4.Provenance {
  if (input.targets.length === 0) throw new AppError('INTERNAL', 'A Provenance needs at least one target');
  const target = input.targets.map((value, index) => {
    const { resourceType, id } = parseRelativeReference(value, `targets[${index}]`);
    return referenceTo(resourceType, id);
  });
  const create = input.activity === 'create';
  if (!create && input.practitionerId === undefined) throw new AppError('INTERNAL', 'A revision Provenance needs the practitioner who revised');
  const deviceAgent: fhir4.ProvenanceAgent = {
    type: { coding: [{ system: PARTICIPANT_TYPE, code: 'author', display: 'Author' }] },
    who: referenceTo('Device', deviceIdFor(input.model), `${input.model.name} ${input.model.version}`),
  };
  const practitionerAgent = (code: 'author' | 'enterer', display: string): fhir4.ProvenanceAgent => ({
    type: { coding: [{ system: PARTICIPANT_TYPE, code, display }] },
    who: referenceTo('Practitioner', input.practitionerId ?? ''),
  });
  const agent = create
    ? [deviceAgent, ...(input.practitionerId !== undefined ? [practitionerAgent('enterer', 'Enterer')] : [])]
    : [practitionerAgent('author', 'Author')];
  const entity: fhir4.ProvenanceEntity[] = [];
  if (input.imagingStudyId !== undefined) entity.push({ role: 'source', what: referenceTo('ImagingStudy', input.imagingStudyId) });
  // A revision transforms the earlier result into the revised one (entity role `revision`).
  if (!create) target.forEach((what) => entity.push({ role: 'revision', what: { ...what } }));
  // A better instance's result revises the study's result: the superseded one stays valid (its status is kept)
  // but is no longer the study's point; `Provenance?entity=Observation/<old>` finds what replaced it.
  (input.supersedes ?? []).forEach((value, index) => {
    const { resourceType, id } = parseRelativeReference(value, `supersedes[${index}]`);
    entity.push({ role: 'revision', what: referenceTo(resourceType, id, 'Superseded timeline point of the ImagingStudy (a better instance replaced it)') });
  });
  return {
    resourceType: 'Provenance',
    id: assertFhirId(input.id, 'Provenance id'),
    ...(create ? { meta: { security: [aiastSecurity()] } } : {}),
    target,
    recorded: assertInstant(input.recorded, 'recorded'),
    // No reason: Provenance.reason is bound to PurposeOfUse, which has no code for AI assertion; the AIAST label is in meta.security.
    activity: {
      coding: [create ? { system: DATA_OPERATION, code: 'CREATE', display: 'create' } : { system: DATA_OPERATION, code: 'UPDATE', display: 'revise' }],
    },
    agent,
    ...(entity.length > 0 ? { entity } : {}),
  };
}
