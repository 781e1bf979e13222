import { Column, Entity, PrimaryColumn } from 'typeorm';

/** pending → delivered, or → dead (retry period spent / permanent refusal); an operator may redeliver. */
export type OutboxState = 'pending' | 'delivered' | 'dead';

/**
 * `result`: the first publication of a result (written with the result, one per result).
 * `revision`: a clinician's review of it (written with the review), delivered after the result and
 * after the revisions before it.
 */
export type OutboxKind = 'result' | 'revision';

/** The resources to publish for one result, in dependency order (Device, Observation, report, Provenance). */
export interface OutboxPayload {
  readonly resources: readonly fhir4.FhirResource[];
  /** References known before delivery (our ImagingStudy copy → the EHR's ImagingStudy). */
  readonly initialRemoteIds?: Readonly<Record<string, string>>;
  /**
   * A revision's result version (brixia_result.version_id it publishes): orders the revisions of one
   * result. Not created_at, which an operator's redelivery resets to restart the retry period.
   */
  readonly resultVersion?: number;
  /**
   * A `result` that replaces another result as its ImagingStudy's timeline point: that result's id. Its
   * Provenance references the superseded Observation and DiagnosticReport, so it is delivered after them
   * (under the EHR's ids).
   */
  readonly supersedesResultId?: string;
}

/** One publication to an EHR: a result, or a review of it (transactional outbox; written with either). */
@Entity({ name: 'outbox_message' })
export class OutboxMessageEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  /** The Observation id of the result (one `result` message per result, then one per review). */
  @Column({ name: 'result_id', type: 'text' }) resultId!: string;
  @Column({ type: 'text', default: 'result' }) kind!: OutboxKind;
  @Column({ name: 'task_id', type: 'text', nullable: true }) taskId!: string | null;
  /** Base URL of the EHR FHIR server (the study's origin). */
  @Column({ type: 'text' }) destination!: string;
  @Column({ type: 'jsonb' }) payload!: OutboxPayload;
  @Column({ type: 'text' }) state!: OutboxState;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt!: Date;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  /** Our `Type/id` → the EHR's `Type/id`, as answered by the conditional creates. */
  @Column({ name: 'remote_ids', type: 'jsonb', nullable: true }) remoteIds!: Record<string, string> | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt!: Date | null;
}
