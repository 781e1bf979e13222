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

/** Every version of a published resource (written by a trigger on fhir_resource), for vread and _history. */
@Entity({ name: 'fhir_resource_history' })
export class FhirResourceVersionEntity {
  @PrimaryColumn({ name: 'resource_type', type: 'text' }) resourceType!: string;
  @PrimaryColumn({ type: 'text' }) id!: string;
  @PrimaryColumn({ name: 'version_id', type: 'integer' }) versionId!: number;
  @Column({ type: 'jsonb' }) resource!: fhir4.FhirResource;
  @Column({ name: 'last_updated', type: 'timestamptz' }) lastUpdated!: Date;
}
