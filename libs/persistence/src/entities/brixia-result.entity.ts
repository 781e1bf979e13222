import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Zone, ZoneProbabilities, ZoneScore } from '@brixia/common';

/** How good a view of its study the scored instance is (the scoring lib's InstanceQuality, stored as given). */
export interface StoredInstanceQuality {
  readonly viewPosition: 'PA' | 'AP' | null;
  readonly lungEvidence: number;
  readonly shortSidePx: number;
}

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
  /** The instance's quality, ranked against later instances of its study; null for results recorded before ranking and imports. */
  @Column({ name: 'instance_quality', type: 'jsonb', nullable: true }) instanceQuality!: StoredInstanceQuality | null;
  /** The result that replaced this one as its study's timeline point (a better instance); it leaves the timeline. */
  @Column({ name: 'superseded_by', type: 'text', nullable: true }) supersededBy!: string | null;
  /** The model's alignment θ (row-major 2×3) of the scored image: where its zone boxes lie; null before it was kept, and for imports. */
  @Column({ type: 'jsonb', nullable: true }) alignment!: number[] | null;
  @Column({ name: 'version_id', type: 'integer', default: 1 }) versionId!: number;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
