import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An active alert as kept in the monitoring projection (JSON). */
export interface StoredAlert {
  readonly ruleId: string;
  readonly kind: string;
  readonly severity: string;
  readonly observationId: string;
  readonly acquiredAt: string;
  readonly value: number;
  readonly threshold: number;
  readonly message: string;
}

/** Per-patient monitoring projection: what the patient list filters and sorts on. */
@Entity({ name: 'patient_monitoring' })
export class PatientMonitoringEntity {
  @PrimaryColumn({ name: 'patient_id', type: 'text' }) patientId!: string;
  @Column({ name: 'latest_global', type: 'integer' }) latestGlobal!: number;
  @Column({ name: 'latest_acquired_at', type: 'timestamptz' }) latestAcquiredAt!: Date;
  @Column({ name: 'latest_observation_id', type: 'text' }) latestObservationId!: string;
  @Column({ name: 'point_count', type: 'integer' }) pointCount!: number;
  @Column({ type: 'text' }) trend!: 'improving' | 'stable' | 'worsening' | 'unknown';
  @Column({ name: 'trend_rank', type: 'smallint' }) trendRank!: number;
  @Column({ name: 'trend_change', type: 'integer', nullable: true }) trendChange!: number | null;
  @Column({ name: 'change_per_day', type: 'double precision', nullable: true }) changePerDay!: number | null;
  @Column({ name: 'active_alert_count', type: 'integer' }) activeAlertCount!: number;
  @Column({ name: 'active_alerts', type: 'jsonb' }) activeAlerts!: StoredAlert[];
  @Column({ name: 'source_updated_at', type: 'timestamptz' }) sourceUpdatedAt!: Date;
  @Column({ name: 'refreshed_at', type: 'timestamptz', default: () => 'now()' }) refreshedAt!: Date;
}
