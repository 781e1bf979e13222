import type * as fhir4 from 'fhir/r4';
import { AppError, ZONES, globalScore, isZoneScore, type ModelIdentity, type Zone, type ZoneScore } from '@brixia/common';
import { buildProvenance, reviewBrixiaObservation, reviewDiagnosticReport, type FhirConfig, FHIR_ID_PATTERN } from '@brixia/fhir';
import { RADIOLOGIST_METHOD } from './timeline';

/** A clinician's decision on an AI result. */
export interface ReviewInput {
  readonly observationId: string;
  readonly action: 'confirm' | 'override';
  /** The clinician's zone scores; required to override. */
  readonly zones?: Readonly<Record<Zone, number>>;
  /**
   * The result version the clinician read. Optional on the first review of a preliminary result;
   * required once it was reviewed (optimistic concurrency), and checked whenever given.
   */
  readonly expectedVersion?: number;
  readonly practitionerId: string;
}

/** The stored state of the result under review. */
export interface ReviewedResult {
  readonly id: string;
  readonly method: string;
  readonly status: string;
  readonly versionId: number;
  readonly globalScore: number;
  readonly zoneScores: Readonly<Record<Zone, ZoneScore>>;
}

export interface ReviewPlan {
  readonly status: 'final' | 'amended';
  readonly zones: Record<Zone, ZoneScore>;
  readonly global: number;
  readonly expectedVersion: number;
  readonly observation: fhir4.Observation;
  /** The report with the reviewed status, when the result has one. */
  readonly diagnosticReport?: fhir4.DiagnosticReport;
  readonly provenance: fhir4.Provenance;
}

const FHIR_ID = FHIR_ID_PATTERN;

function invalid(message: string, expression: string): AppError {
  return new AppError('REQUEST.INVALID', message, { expression: [expression] });
}

/**
 * Decides what a review writes (docs/fhir-profile.md, Observation `status`): confirm → `final` with the AI's values;
 * override → `amended` with the clinician's values (an override equal to the current values is a
 * confirmation). The FHIR changes are libs/fhir's (reviewBrixiaObservation, reviewDiagnosticReport);
 * the revision Provenance names the Practitioner (buildProvenance activity 'revision').
 */
export function planReview(
  config: FhirConfig,
  context: { result: ReviewedResult; observation: fhir4.Observation; diagnosticReport?: fhir4.DiagnosticReport; model: ModelIdentity; now: Date; provenanceId: string },
  input: ReviewInput,
): ReviewPlan {
  const { result } = context;
  if (!FHIR_ID.test(input.practitionerId)) throw invalid('practitionerId must be a FHIR id', 'practitionerId');
  if (result.method === RADIOLOGIST_METHOD) throw invalid('Only AI results are reviewed; a radiologist-entered score is already a clinician result', 'observationId');
  if (result.status === 'entered-in-error') throw invalid('A retracted result cannot be reviewed', 'observationId');
  if (input.expectedVersion === undefined && result.status !== 'preliminary') {
    throw new AppError('RESOURCE.VERSION_CONFLICT', 'This result was already reviewed: send the version you read (expectedVersion)', {
      details: { currentVersion: result.versionId },
    });
  }
  const expectedVersion = input.expectedVersion ?? result.versionId;
  if (expectedVersion !== result.versionId) {
    throw new AppError('RESOURCE.VERSION_CONFLICT', `The result is at version ${result.versionId}, not the version ${expectedVersion} that was read`, {
      details: { currentVersion: result.versionId, expectedVersion },
    });
  }
  const zones = input.action === 'override' ? readZones(input.zones) : { ...result.zoneScores };
  const changed = ZONES.some((zone) => zones[zone] !== result.zoneScores[zone]);
  const status = changed ? 'amended' : 'final';
  const global = globalScore(zones);
  const recorded = context.now.toISOString();
  const change = { status, zones, global, practitionerId: input.practitionerId, recorded, aiGlobal: result.globalScore } as const;
  const observation = reviewBrixiaObservation(context.observation, change);
  const diagnosticReport = context.diagnosticReport ? reviewDiagnosticReport(context.diagnosticReport, change) : undefined;
  const provenance = buildProvenance(config, {
    id: context.provenanceId,
    targets: [`Observation/${result.id}`, ...(diagnosticReport?.id ? [`DiagnosticReport/${diagnosticReport.id}`] : [])],
    recorded,
    model: context.model,
    activity: 'revision',
    practitionerId: input.practitionerId,
  });
  return { status, zones, global, expectedVersion, observation, provenance, ...(diagnosticReport ? { diagnosticReport } : {}) };
}

function readZones(zones: ReviewInput['zones']): Record<Zone, ZoneScore> {
  if (!zones) throw invalid('An override needs the six zone scores', 'zones');
  const out = {} as Record<Zone, ZoneScore>;
  for (const zone of ZONES) {
    const score = zones[zone];
    if (!isZoneScore(score)) throw invalid(`Zone ${zone} score must be an integer 0–3`, `zones.${zone}`);
    out[zone] = score;
  }
  return out;
}
