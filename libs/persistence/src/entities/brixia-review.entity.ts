import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Zone, ZoneScore } from '@brixia/common';

/** A clinician's review of an AI result (confirm or override), with the version the reviewer read. */
@Entity({ name: 'brixia_review' })
export class BrixiaReviewEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'result_id', type: 'text' }) resultId!: string;
  @Column({ type: 'text' }) action!: 'confirm' | 'override';
  @Column({ name: 'practitioner_id', type: 'text' }) practitionerId!: string;
  @Column({ name: 'version_read', type: 'integer' }) versionRead!: number;
  @Column({ name: 'version_written', type: 'integer' }) versionWritten!: number;
  @Column({ name: 'previous_status', type: 'text' }) previousStatus!: string;
  @Column({ name: 'previous_global', type: 'integer' }) previousGlobal!: number;
  @Column({ name: 'previous_zone_scores', type: 'jsonb' }) previousZoneScores!: Record<Zone, ZoneScore>;
  @Column({ name: 'new_status', type: 'text' }) newStatus!: string;
  @Column({ name: 'new_global', type: 'integer' }) newGlobal!: number;
  @Column({ name: 'new_zone_scores', type: 'jsonb' }) newZoneScores!: Record<Zone, ZoneScore>;
  @Column({ name: 'provenance_id', type: 'text' }) provenanceId!: string;
  @Column({ name: 'reviewed_at', type: 'timestamptz', default: () => 'now()' }) reviewedAt!: Date;
}
