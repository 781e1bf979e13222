import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export type SubscriptionStatus = 'requested' | 'active' | 'error' | 'off';
export type SubscriptionNotificationKind = 'handshake' | 'event-notification';

/** A rest-hook Subscription on the Brixia result topic (R5 Backport on R4). */
@Entity({ name: 'fhir_subscription' })
export class SubscriptionEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  /** The Subscription as POSTed (the HMAC secret is kept in its own column, never served). */
  @Column({ type: 'jsonb' }) resource!: fhir4.Subscription;
  @Column({ type: 'text' }) status!: SubscriptionStatus;
  @Column({ type: 'text' }) endpoint!: string;
  @Column({ type: 'jsonb' }) headers!: string[];
  @Column({ name: 'payload_content', type: 'text' }) payloadContent!: 'empty' | 'id-only' | 'full-resource';
  @Column({ name: 'patient_id', type: 'text', nullable: true }) patientId!: string | null;
  @Column({ name: 'heartbeat_s', type: 'integer', nullable: true }) heartbeatSeconds!: number | null;
  @Column({ name: 'timeout_s', type: 'integer', nullable: true }) timeoutSeconds!: number | null;
  @Column({ name: 'hmac_secret', type: 'text', nullable: true }) hmacSecret!: string | null;
  /** bigint comes back as a string from pg. */
  @Column({ name: 'events_since_start', type: 'bigint', default: 0 }) eventsSinceStart!: string;
  @Column({ name: 'last_sent_at', type: 'timestamptz', nullable: true }) lastSentAt!: Date | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt!: Date;
}

/** A topic event (a result created or updated), recorded in the result's transaction. */
@Entity({ name: 'subscription_event' })
export class SubscriptionEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  /** e.g. Observation/obs-123 */
  @Column({ type: 'text' }) focus!: string;
  @Column({ name: 'patient_id', type: 'text', nullable: true }) patientId!: string | null;
  @Column({ name: 'fanned_out', type: 'boolean', default: false }) fannedOut!: boolean;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}

/** One notification to one subscriber (handshake or event), delivered at least once. */
@Entity({ name: 'subscription_notification' })
export class SubscriptionNotificationEntity {
  @PrimaryColumn({ type: 'text' }) id!: string;
  @Column({ name: 'subscription_id', type: 'text' }) subscriptionId!: string;
  @Column({ type: 'text' }) kind!: SubscriptionNotificationKind;
  @Column({ name: 'event_number', type: 'bigint', nullable: true }) eventNumber!: string | null;
  @Column({ type: 'text', nullable: true }) focus!: string | null;
  @Column({ name: 'event_time', type: 'timestamptz', default: () => 'now()' }) eventTime!: Date;
  @Column({ type: 'text' }) state!: 'pending' | 'delivered' | 'dead';
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' }) nextAttemptAt!: Date;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt!: Date;
}
