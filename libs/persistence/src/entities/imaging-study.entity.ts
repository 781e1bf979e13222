import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An ImagingStudy known to this service (uploaded, posted inline, or resolved from an EHR). */
@Entity({ name: 'imaging_study' })
export class ImagingStudyEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'patient_id', type: 'text' }) patientId!: string;
  @Column({ name: 'study_instance_uid', type: 'text', nullable: true }) studyInstanceUid!: string | null;
  @Column({ type: 'text' }) source!: 'upload' | 'inline' | 'external';
  @Column({ type: 'jsonb' }) resource!: fhir4.ImagingStudy;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}
