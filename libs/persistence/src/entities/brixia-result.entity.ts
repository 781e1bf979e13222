import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Zone, ZoneProbabilities, ZoneScore } from '@brixia/common';

/** One Brixia score on a patient's timeline (AI or radiologist); its id is the Observation id. */
@Entity({ name: 'brixia_result' })
export class BrixiaResultEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'task_id', type: 'text', nullable: true }) taskId!: string | null;
  @Column({ name: 'patient_id', type: 'text' }) patientId!: string;
  @Column({ name: 'imaging_study_id', type: 'text', nullable: true }) imagingStudyId!: string | null;
  @Column({ name: 'identifier_system', type: 'text' }) identifierSystem!: string;
  @Column({ name: 'identifier_value', type: 'text' }) identifierValue!: string;
  @Column({ name: 'acquired_at', type: 'timestamptz' }) acquiredAt!: Date;
  @Column({ name: 'issued_at', type: 'timestamptz' }) issuedAt!: Date;
  @Column({ name: 'global_score', type: 'integer' }) globalScore!: number;
  @Column({ name: 'zone_scores', type: 'jsonb' }) zoneScores!: Record<Zone, ZoneScore>;
  @Column({ type: 'jsonb', nullable: true }) probabilities!: Record<Zone, ZoneProbabilities> | null;
  @Column({ name: 'model_version', type: 'text', nullable: true }) modelVersion!: string | null;
  @Column({ name: 'model_sha256', type: 'text', nullable: true }) modelSha256!: string | null;
  @Column({ type: 'text' }) method!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'version_id', type: 'integer', default: 1 }) versionId!: number;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
