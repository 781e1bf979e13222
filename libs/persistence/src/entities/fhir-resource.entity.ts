import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The FHIR resources this service publishes (Observation, DiagnosticReport, Provenance, Device), as served. */
@Entity({ name: 'fhir_resource' })
export class FhirResourceEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text' }) resourceType!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'version_id', type: 'integer', default: 1 }) versionId!: number;
  @Column({ type: 'jsonb' }) resource!: fhir4.FhirResource;
  @Column({ name: 'last_updated', type: 'timestamptz', default: () => 'now()' }) lastUpdated!: Date;
}
