import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ScoringTaskStatus = 'requested' | 'in-progress' | 'completed' | 'failed';
export type ScoringBusinessStatus = 'queued' | 'fetching' | 'inferring' | 'publishing' | 'done' | 'failed' | 'publish-failed' | 'skipped' | 'superseded';

/**
 * Why a completed Task is not its ImagingStudy's timeline point: another instance is. Without `superseded`,
 * the Task has no result of its own (businessStatus `skipped`); with it, its result was the point until a
 * better instance replaced it (businessStatus `superseded`; its Observation stays valid).
 */
export interface TaskSkip {
  readonly reason: string;
  /** The study's timeline point (the Observation of the instance that is the point). */
  readonly pointObservationId: string;
  readonly superseded?: boolean;
}

/** One request to score one image with one model version (the FHIR Task's durable record). */
@Entity({ name: 'scoring_task' })
export class ScoringTaskEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  /**
   * `<patient>|<image key>|<model version>`: resubmitting the same image for the same patient with the same
   * model finds this row; unique among Tasks that did not fail (a failed one does not block a new attempt).
   */
  @Column({ name: 'dedupe_key', type: 'text' }) dedupeKey!: string;
  @Column({ type: 'text' }) status!: ScoringTaskStatus;
  @Column({ name: 'business_status', type: 'text' }) businessStatus!: ScoringBusinessStatus;
  @Column({ type: 'jsonb', nullable: true }) failure!: { code: string; message: string } | null;
  @Column({ name: 'imaging_study_id', type: 'text', nullable: true }) imagingStudyId!: string | null;
  @Column({ name: 'image_id', type: 'text', nullable: true }) imageId!: string | null;
  @Column({ name: 'patient_id', type: 'text', nullable: true }) patientId!: string | null;
  @Column({ name: 'model_version', type: 'text' }) modelVersion!: string;
  @Column({ name: 'request_id', type: 'text', nullable: true }) requestId!: string | null;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'observation_id', type: 'text', nullable: true }) observationId!: string | null;
  /** Set when the Task is not its study's timeline point (businessStatus `skipped` or `superseded`). */
  @Column({ type: 'jsonb', nullable: true }) skipped!: TaskSkip | null;
  @Column({ name: 'diagnostic_report_id', type: 'text', nullable: true }) diagnosticReportId!: string | null;
  /** Bumped by a trigger when what the Task shows changes (FHIR meta.versionId); every version is in scoring_task_history. */
  @Column({ name: 'version_id', type: 'integer', default: 1 }) versionId!: number;
  @Column({ name: 'authored_at', type: 'timestamptz', default: () => 'now()' }) authoredAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/** One version of a scoring Task: a snapshot of its record (written by a trigger), for vread and _history. */
@Entity({ name: 'scoring_task_history' })
export class ScoringTaskVersionEntity {
  @PrimaryColumn({ name: 'task_id', type: 'text' }) taskId!: string;
  @PrimaryColumn({ name: 'version_id', type: 'integer' }) versionId!: number;
  /** The scoring_task row as JSON (snake_case column names). */
  @Column({ type: 'jsonb' }) snapshot!: Record<string, unknown>;
  @Column({ name: 'recorded_at', type: 'timestamptz' }) recordedAt!: Date;
}
