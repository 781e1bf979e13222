import type { MonitoringAlert } from './alerts';

/** What serial monitoring announces (GraphQL subscriptions listen to these). */
export type MonitoringEvent =
  | {
      readonly type: 'assessment-completed';
      readonly patientId: string;
      readonly observationId: string;
      readonly taskId: string | null;
      readonly global: number;
      readonly acquiredAt: Date;
    }
  | { readonly type: 'alert-raised'; readonly alert: MonitoringAlert }
  | { readonly type: 'result-reviewed'; readonly patientId: string; readonly observationId: string; readonly versionId: number; readonly status: string }
  /** Occlusion maps being computed for a Task: `done` of `total` super-pixels re-scored. */
  | { readonly type: 'occlusion-progress'; readonly taskId: string; readonly done: number; readonly total: number };

export type MonitoringListener = (event: MonitoringEvent) => void;

/**
 * In-process publish/subscribe of monitoring events. Events are raised in the process that ran the
 * work (worker or API); a listener that throws is isolated from the others.
 */
export class MonitoringEvents {
  private readonly listeners = new Set<MonitoringListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: MonitoringListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  publish(event: MonitoringEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One failing subscriber must not stop the others or the work that raised the event.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
