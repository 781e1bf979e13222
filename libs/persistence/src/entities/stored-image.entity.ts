import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The bytes of an accepted image, kept so accepted work survives a crash and can be re-scored. */
@Entity({ name: 'stored_image' })
export class StoredImageEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ type: 'text' }) sha256!: string;
  /** `sop:<SOPInstanceUID>` (DICOM) or `sha256:<hex>`: the image's identity, unique, so it belongs to one patient. */
  @Column({ name: 'image_key', type: 'text' }) imageKey!: string;
  /** The patient the image was recorded for; Tasks of the image must name the same patient (composite FK). */
  @Column({ name: 'patient_id', type: 'text' }) patientId!: string;
  @Column({ name: 'imaging_study_id', type: 'text' }) imagingStudyId!: string;
  @Column({ name: 'content_type', type: 'text' }) contentType!: string;
  @Column({ name: 'byte_size', type: 'integer' }) byteSize!: number;
  @Column({ type: 'bytea', select: false }) content!: Buffer;
  @Column({ name: 'sop_instance_uid', type: 'text', nullable: true }) sopInstanceUid!: string | null;
  @Column({ name: 'series_instance_uid', type: 'text', nullable: true }) seriesInstanceUid!: string | null;
  @Column({ type: 'jsonb' }) metadata!: Record<string, unknown>;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
