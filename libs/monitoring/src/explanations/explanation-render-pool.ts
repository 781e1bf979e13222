import * as path from 'node:path';
import { silentLogger, WorkerPool, type Logger } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import type { ExplanationImages, ExplanationRequest } from './explanation-images';

export interface ExplanationRenderPoolOptions {
  readonly fhir: FhirConfig;
  /** Render threads; each renders one result's seven overlays at a time. */
  readonly threads: number;
  /**
   * Nice steps below the process (Linux). Above the inference threads' own, so overlays, which nobody
   * waits for, only get the cycles scoring leaves (docs/operations.md, "Processes and threads").
   */
  readonly niceIncrement?: number;
  readonly logger?: Logger;
}

/** Renders explanation overlays (heat maps + PNG encoding) off the event loop. */
export interface ExplanationRenderPool {
  render(request: ExplanationRequest): Promise<ExplanationImages>;
  /** Results waiting for a free render thread. */
  readonly queued: number;
  close(): Promise<void>;
}

/**
 * A pool of explanation render threads: its own FIFO queue, so a burst of results never delays the
 * scoring of the next job; the radiograph and CAMs are copied in (the caller may keep them).
 */
export async function startExplanationRenderPool(options: ExplanationRenderPoolOptions): Promise<ExplanationRenderPool> {
  const pool = await WorkerPool.start<ExplanationRequest, ExplanationImages>({
    entry: path.join(__dirname, `explanation-render.worker${path.extname(__filename)}`),
    size: options.threads,
    workerData: options.fhir,
    name: 'explanation-render',
    logger: options.logger ?? silentLogger,
    niceIncrement: options.niceIncrement,
  });
  return {
    render: (request) => pool.run(request),
    get queued(): number {
      return pool.queued;
    },
    close: () => pool.close(),
  };
}
