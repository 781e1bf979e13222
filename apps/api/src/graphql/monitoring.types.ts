import { Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/** GraphQL enum of libs/monitoring Trend (internal values are the domain's strings). */
export enum TrendValue {
  IMPROVING = 'improving',
  STABLE = 'stable',
  WORSENING = 'worsening',
  UNKNOWN = 'unknown',
}
export enum AlertSeverityValue {
  INFO = 'info',
  WARNING = 'warning',
  CRITICAL = 'critical',
}
export enum PointOriginValue {
  AI = 'ai',
  AI_CONFIRMED = 'ai-confirmed',
  CLINICIAN_OVERRIDE = 'clinician-override',
  CLINICIAN = 'clinician',
}
export enum AlertStateValue {
  ACTIVE = 'active',
  NONE = 'none',
}
export enum ReviewActionValue {
  CONFIRM = 'confirm',
  OVERRIDE = 'override',
}
registerEnumType(TrendValue, { name: 'Trend', description: 'Direction of the series over the trend window (libs/monitoring TrendRules).' });
registerEnumType(AlertSeverityValue, { name: 'AlertSeverity' });
registerEnumType(PointOriginValue, { name: 'PointOrigin', description: 'AI result, AI confirmed by a clinician, clinician override, or radiologist-entered score.' });
registerEnumType(AlertStateValue, { name: 'AlertState' });
registerEnumType(ReviewActionValue, { name: 'ReviewAction' });

/** A FHIR R4 resource as JSON (Task, Observation, Provenance, DiagnosticReport). */
export const FhirResourceScalar = new GraphQLScalarType({
  name: 'FhirResource',
  description: 'A FHIR R4 resource (JSON), as the FHIR API serves it.',
  serialize: (value: unknown): unknown => value,
  parseValue: (value: unknown): unknown => value,
  parseLiteral: (ast: ValueNode): unknown => (ast.kind === Kind.STRING ? JSON.parse(ast.value) : null),
});

@ObjectType({ description: 'One zone of one study: score 0–3 and change vs the previous counted study.' })
export class ZoneValue {
  @Field() zone!: string;
  @Field(() => Int) score!: number;
  @Field(() => Int, { nullable: true }) delta!: number | null;
  @Field(() => Int, { nullable: true, description: 'The model score when a clinician overrode it.' }) aiScore!: number | null;
}

@ObjectType()
export class Alert {
  @Field() ruleId!: string;
  @Field() kind!: string;
  @Field(() => AlertSeverityValue) severity!: AlertSeverityValue;
  @Field(() => ID) patientId!: string;
  @Field(() => ID) observationId!: string;
  @Field(() => GraphQLISODateTime) acquiredAt!: Date;
  @Field(() => Int) value!: number;
  @Field(() => Int) threshold!: number;
  @Field() message!: string;
}

@ObjectType({ description: 'One Brixia score on the series (clinical time = acquisition).' })
export class TimelinePoint {
  @Field(() => ID) observationId!: string;
  @Field(() => ID, { nullable: true }) imagingStudyId!: string | null;
  @Field(() => GraphQLISODateTime) acquiredAt!: Date;
  @Field(() => Int) global!: number;
  @Field(() => [ZoneValue], { complexity: ({ childComplexity }) => 6 * childComplexity }) zones!: ZoneValue[];
  @Field(() => Int, { nullable: true }) deltaGlobal!: number | null;
  @Field(() => Int) deltaFromFirst!: number;
  @Field(() => Float, { nullable: true }) daysSincePrevious!: number | null;
  @Field(() => Float, { nullable: true }) changePerDay!: number | null;
  @Field() method!: string;
  @Field() status!: string;
  @Field(() => PointOriginValue) origin!: PointOriginValue;
  @Field({ description: 'An unreviewed AI result of a study a radiologist also scored (not counted).' }) superseded!: boolean;
  @Field(() => Int) versionId!: number;
  @Field(() => Int, { nullable: true, description: 'The model global score when a clinician overrode it.' }) aiGlobal!: number | null;
  @Field(() => String, { nullable: true }) modelVersion!: string | null;
  @Field(() => [Alert], { description: 'Alerts raised at this study.' }) alerts!: Alert[];
}

@ObjectType()
export class Timeline {
  @Field(() => ID) patientId!: string;
  @Field(() => TrendValue) trend!: TrendValue;
  @Field(() => Int, { nullable: true }) trendChange!: number | null;
  @Field(() => Float, { nullable: true }) changePerDay!: number | null;
  // Cost estimate: a series is taken as 20 studies (a hospital stay of daily films); lists multiply their selection.
  @Field(() => [TimelinePoint], { complexity: ({ childComplexity }) => 1 + 20 * childComplexity }) points!: TimelinePoint[];
  @Field(() => [Alert], { description: 'Every alert raised along the series.' }) alerts!: Alert[];
  @Field(() => [Alert]) activeAlerts!: Alert[];
}

@ObjectType({ description: 'A monitored patient (has at least one Brixia score).' })
export class Patient {
  @Field(() => ID) id!: string;
  @Field(() => Int) latestScore!: number;
  @Field(() => GraphQLISODateTime) latestAcquiredAt!: Date;
  @Field(() => ID) latestObservationId!: string;
  @Field(() => TrendValue) trend!: TrendValue;
  @Field(() => AlertStateValue) alertState!: AlertStateValue;
  @Field(() => [Alert]) activeAlerts!: Alert[];
  @Field(() => Int) studyCount!: number;
}

@ObjectType()
export class PatientEdge {
  @Field() cursor!: string;
  @Field(() => Patient) node!: Patient;
}

@ObjectType()
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType()
export class PatientConnection {
  @Field(() => [PatientEdge]) edges!: PatientEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType()
export class PatientFilterInput {
  @Field(() => [TrendValue], { nullable: true }) trends?: TrendValue[];
  @Field(() => Int, { nullable: true }) minLatestScore?: number;
  @Field(() => Int, { nullable: true }) maxLatestScore?: number;
  @Field(() => AlertStateValue, { nullable: true }) alertState?: AlertStateValue;
  @Field(() => String, { nullable: true, description: 'Patients whose id starts with this.' }) patientIdPrefix?: string;
}

@ObjectType({ description: 'An explanation image (heat map overlay on the radiograph).' })
export class ExplanationImage {
  @Field({ description: 'zone-heatmap-overlay (class activation maps) or occlusion-overlay (super-pixel occlusion).' }) kind!: string;
  @Field(() => String, { nullable: true }) zone!: string | null;
  @Field() url!: string;
  @Field() contentType!: string;
  @Field(() => ID) mediaId!: string;
}

@ObjectType({ description: 'One scoring of one radiograph: its Task, Observation, report and explanation images.' })
export class Assessment {
  @Field(() => ID) observationId!: string;
  @Field(() => ID, { nullable: true }) taskId!: string | null;
  @Field(() => ID) patientId!: string;
  @Field() status!: string;
  @Field(() => Int) versionId!: number;
  @Field(() => Int) global!: number;
  @Field(() => FhirResourceScalar) observation!: unknown;
  @Field(() => FhirResourceScalar, { nullable: true }) task!: unknown;
  @Field(() => FhirResourceScalar, { nullable: true }) diagnosticReport!: unknown;
  @Field(() => [ExplanationImage]) explanationImages!: ExplanationImage[];
  @Field(() => String, { nullable: true, description: 'The radiograph as PNG, when this service holds the image.' }) radiographUrl!: string | null;
}

@ObjectType()
export class AssessmentRequest {
  @Field(() => ID) taskId!: string;
  @Field() status!: string;
  @Field({ description: 'false when the same image was already submitted for this model (idempotent).' }) created!: boolean;
  @Field(() => FhirResourceScalar) task!: unknown;
}

@InputType()
export class ZoneScoresInput {
  @Field(() => Int) A!: number;
  @Field(() => Int) B!: number;
  @Field(() => Int) C!: number;
  @Field(() => Int) D!: number;
  @Field(() => Int) E!: number;
  @Field(() => Int) F!: number;
}

@InputType()
export class ReviewAssessmentInput {
  @Field(() => ID) observationId!: string;
  @Field(() => ReviewActionValue) action!: ReviewActionValue;
  @Field(() => ZoneScoresInput, { nullable: true }) zones?: ZoneScoresInput;
  @Field(() => Int, { nullable: true, description: 'The versionId read; required once the result was reviewed.' }) expectedVersion?: number;
  @Field(() => ID, { nullable: true, deprecationReason: 'Ignored: the reviewer is the access token\'s user (fhirUser).' }) practitionerId?: string;
}

@ObjectType()
export class ReviewResult {
  @Field(() => ID) observationId!: string;
  @Field(() => Int) versionId!: number;
  @Field() status!: string;
  @Field(() => FhirResourceScalar) observation!: unknown;
  @Field(() => FhirResourceScalar) provenance!: unknown;
}

@ObjectType()
export class AssessmentCompletedEvent {
  @Field(() => ID) patientId!: string;
  @Field(() => ID) observationId!: string;
  @Field(() => ID, { nullable: true }) taskId!: string | null;
  @Field(() => Int) global!: number;
  @Field(() => GraphQLISODateTime) acquiredAt!: Date;
}

@ObjectType({ description: 'Progress of occlusion maps being computed for a Task.' })
export class OcclusionProgressEvent {
  @Field(() => ID) taskId!: string;
  @Field(() => Int, { description: 'Super-pixels re-scored so far.' }) done!: number;
  @Field(() => Int, { description: 'Super-pixels in all (one model run each).' }) total!: number;
}

@ObjectType({ description: 'Super-pixel occlusion maps made on request (one model run per super-pixel).' })
export class OcclusionExplanation {
  @Field(() => Int) images!: number;
  @Field(() => Int) segments!: number;
  @Field(() => Int) forwardPasses!: number;
  @Field(() => Int) durationMs!: number;
}
