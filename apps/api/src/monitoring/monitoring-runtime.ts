import type { Clock, Logger, ModelIdentity } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import {
  MonitoringEventRelay,
  MonitoringEvents,
  MonitoringService,
  monitoringRules,
  occlusionMaps,
  renderExplanationImages,
  renderOcclusionImages,
  type ExplanationRenderPool,
} from '@brixia/monitoring';
import { PgNotificationChannel, type Database, type MonitoringStore, type ScoringStore } from '@brixia/persistence';
import { TaskCompletionNotifier, type ExplanationRenderer } from '@brixia/scoring';
import type { AppConfig } from '../config';

/**
 * Task-completion notifier that also tells monitoring about new results, in the process that ran
 * the job (role all or worker): the patient projection is refreshed and the completion and alerts
 * are published to this process's subscribers. A crash between the two is repaired at start-up
 * (MonitoringService.refreshStale).
 */
export class MonitoringCompletionNotifier extends TaskCompletionNotifier {
  private handler?: (taskId: string) => Promise<void>;

  onNotify(handler: (taskId: string) => Promise<void>): void {
    this.handler = handler;
  }

  override notify(taskId: string): void {
    super.notify(taskId);
    if (this.handler) void this.handler(taskId);
  }
}

export interface MonitoringRuntime {
  readonly service: MonitoringService;
  readonly store: MonitoringStore;
  readonly completions: MonitoringCompletionNotifier;
  /** Heat-map overlays for new results; undefined when BRIXIA_EXPLANATIONS=off. */
  readonly explanations?: ExplanationRenderer;
  /**
   * Relays events between the API and worker processes over PostgreSQL LISTEN/NOTIFY, so a
   * subscription on the API hears about work done by a worker. Not needed (and not possible on its
   * one connection) with the embedded database, where every role runs in one process.
   */
  startRelay(database: Database): Promise<void>;
  close(): Promise<void>;
}

/** NOTIFY channel of monitoring events. */
export const MONITORING_CHANNEL = 'brixia_monitoring';

/** Builds the monitoring service and hooks it to scoring completions. */
export function createMonitoring(input: {
  /** The monitoring store, built with the other stores (createStores). */
  store: MonitoringStore;
  config: AppConfig;
  fhir: FhirConfig;
  clock: Clock;
  logger: Logger;
  model: ModelIdentity;
  scoringStore: () => ScoringStore;
  /** Render threads for the overlays of new results (runtime.ts); without it they render on the event loop. */
  renderPool?: ExplanationRenderPool;
}): MonitoringRuntime {
  const { store } = input;
  const service = new MonitoringService({
    store,
    fhir: input.fhir,
    clock: input.clock,
    rules: monitoringRules(input.config.monitoring),
    events: new MonitoringEvents(),
    logger: input.logger,
    model: input.model,
  });
  const completions = new MonitoringCompletionNotifier();
  completions.onNotify(async (taskId) => {
    try {
      const task = await input.scoringStore().findTask(taskId);
      if (task?.status === 'completed' && task.observationId) await service.resultRecorded(task.observationId, task.id);
    } catch (error) {
      input.logger.warn({ taskId, err: error instanceof Error ? error.message : String(error) }, 'monitoring refresh failed; repaired at next start-up');
    }
  });
  const explanations: ExplanationRenderer | undefined = input.config.monitoring.explanations
    ? {
        render: (request) => (input.renderPool ? input.renderPool.render(request) : renderExplanationImages(input.fhir, request)),
        renderOcclusion: async (request) => {
          const occlusion = await occlusionMaps(request.scorer, request.input, request.predicted, { segments: request.segments, onProgress: request.onProgress });
          const images = await renderOcclusionImages(input.fhir, { ...request, occlusion });
          input.logger.info({ observationId: request.observationId, segments: occlusion.segments, forwardPasses: occlusion.forwardPasses, occlusionMs: Math.round(occlusion.durationMs), renderMs: Math.round(images.durationMs) }, 'occlusion maps rendered');
          return { ...images, durationMs: occlusion.durationMs + images.durationMs, forwardPasses: occlusion.forwardPasses, segments: occlusion.segments };
        },
      }
    : undefined;
  const relay = new MonitoringEventRelay(service.events, (error) =>
    input.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'monitoring event relay failed'),
  );
  let channel: PgNotificationChannel | undefined;
  return {
    service,
    store,
    completions,
    explanations,
    async startRelay(database: Database): Promise<void> {
      if (database.mode !== 'postgres') return;
      channel = await PgNotificationChannel.listen(database.dataSource, MONITORING_CHANNEL, (payload) => relay.receive(payload), input.logger);
      relay.connect(channel);
    },
    async close(): Promise<void> {
      relay.disconnect();
      await channel?.close();
    },
  };
}
