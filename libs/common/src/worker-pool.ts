import type { TransferListItem, Worker } from 'node:worker_threads';
import { AppError } from './errors';
import type { Logger } from './logger';
import { fromWire, type WorkerMessage } from './worker-protocol';
import { spawnModuleWorker } from './worker-thread';

/**
 * The parent side of request/response over node:worker_threads, for CPU-bound work that must not run
 * on the event loop (model sessions, image decoding); worker-protocol.ts is what the threads speak.
 * A worker that dies rejects what it was running and is replaced.
 */

interface InFlight {
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  current?: number;
}

interface Queued {
  readonly id: number;
  readonly request: unknown;
  readonly transfer: readonly TransferListItem[];
}

export interface WorkerPoolOptions {
  /** The worker module (a .ts source or compiled .js) that calls serveWorkerRequests. */
  readonly entry: string;
  readonly size: number;
  readonly workerData?: unknown;
  /** Thread name (shown in diagnostics). */
  readonly name: string;
  readonly logger: Logger;
  /** Nice steps below the process's priority for every thread of the pool (0: the same priority). */
  readonly niceIncrement?: number;
}

/** A fixed number of worker threads; requests queue FIFO for the next idle one. */
export class WorkerPool<Request, Response, Info = unknown> {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, InFlight>();
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;
  private info: Info | undefined;

  private constructor(private readonly options: WorkerPoolOptions) {}

  /** Starts every worker and waits until each said it is ready (or rejects with its start-up error). */
  static async start<Request, Response, Info = unknown>(options: WorkerPoolOptions): Promise<WorkerPool<Request, Response, Info>> {
    const pool = new WorkerPool<Request, Response, Info>(options);
    try {
      for (let i = 0; i < Math.max(1, options.size); i++) pool.slots.push(await pool.spawn());
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** What the first worker reported when ready (e.g. the session's identity). */
  get readyInfo(): Info {
    return this.info as Info;
  }

  /** Requests currently waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  get size(): number {
    return this.slots.length;
  }

  run(request: Request, transfer: readonly TransferListItem[] = []): Promise<Response> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', `The ${this.options.name} pool is closed`));
    const id = this.nextId++;
    return new Promise<Response>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.queue.push({ id, request, transfer });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) this.settle(queued.id, undefined, new AppError('INTERNAL', `The ${this.options.name} pool closed`));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const next = this.queue.shift() as Queued;
      slot.busy = true;
      slot.current = next.id;
      slot.worker.postMessage({ id: next.id, request: next.request }, [...next.transfer]);
    }
  }

  private settle(id: number, value: unknown, error?: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (error !== undefined) entry.reject(error);
    else entry.resolve(value);
  }

  private spawn(): Promise<Slot> {
    const worker = spawnModuleWorker(this.options.entry, this.options.workerData, this.options.name, this.options.niceIncrement);
    const slot: Slot = { worker, busy: false };
    const logger = this.options.logger;
    return new Promise<Slot>((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: WorkerMessage) => {
        switch (message.kind) {
          case 'ready':
            ready = true;
            if (this.info === undefined) this.info = message.info as Info;
            resolve(slot);
            return;
          case 'start-failed':
            reject(fromWire(message.error));
            void worker.terminate();
            return;
          case 'log':
            logger[message.level](message.fields, message.msg);
            return;
          case 'result':
          case 'error':
            slot.busy = false;
            slot.current = undefined;
            this.settle(message.id, message.kind === 'result' ? message.value : undefined, message.kind === 'error' ? fromWire(message.error) : undefined);
            this.dispatch();
            return;
        }
      });
      worker.on('error', (error) => {
        if (!ready) reject(error);
        logger.error({ worker: this.options.name, err: error.message }, 'worker thread failed');
      });
      worker.on('exit', (code) => {
        if (!ready) reject(new AppError('INTERNAL', `The ${this.options.name} worker exited with ${code} before it was ready`));
        if (slot.current !== undefined) this.settle(slot.current, undefined, new AppError('INTERNAL', `The ${this.options.name} worker exited with ${code}`));
        if (this.closed || !ready) return;
        // Replace the dead worker so the pool keeps its size; queued requests wait for the new one.
        const index = this.slots.indexOf(slot);
        this.spawn().then(
          (replacement) => {
            if (index >= 0 && !this.closed) this.slots[index] = replacement;
            else void replacement.worker.terminate();
            this.dispatch();
          },
          (error: unknown) => logger.error({ worker: this.options.name, err: String(error) }, 'could not replace a worker thread'),
        );
      });
    });
  }
}
