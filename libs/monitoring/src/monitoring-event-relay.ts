import { randomUUID } from 'node:crypto';
import type { MonitoringEvent, MonitoringEvents } from './monitoring-events';

/** A transport between processes (PostgreSQL NOTIFY in production). */
export interface EventTransport {
  notify(payload: string): Promise<void>;
}

interface Envelope {
  readonly origin: string;
  readonly event: MonitoringEvent;
}

/**
 * Relays monitoring events between processes (API and worker roles): local events are sent out
 * with this process's origin id; events received from others are published locally, and never
 * sent back out (no echo). Dates travel as ISO strings and are revived.
 */
export class MonitoringEventRelay {
  private readonly origin = randomUUID();
  private readonly received = new WeakSet<MonitoringEvent>();
  private unsubscribe?: () => void;

  constructor(
    private readonly events: MonitoringEvents,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Starts sending local events through `transport`. */
  connect(transport: EventTransport): void {
    this.unsubscribe = this.events.subscribe((event) => {
      if (this.received.has(event)) return;
      transport.notify(JSON.stringify({ origin: this.origin, event } satisfies Envelope)).catch(this.onError);
    });
  }

  /** Handles one payload from the transport. */
  receive(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch (error) {
      this.onError(error);
      return;
    }
    if (envelope.origin === this.origin) return;
    const event = revive(envelope.event);
    this.received.add(event);
    this.events.publish(event);
  }

  disconnect(): void {
    this.unsubscribe?.();
  }
}

function revive(event: MonitoringEvent): MonitoringEvent {
  switch (event.type) {
    case 'assessment-completed':
      return { ...event, acquiredAt: new Date(event.acquiredAt) };
    case 'alert-raised':
      return { ...event, alert: { ...event.alert, acquiredAt: new Date(event.alert.acquiredAt) } };
    case 'result-reviewed':
    case 'occlusion-progress':
      return { ...event };
  }
}
