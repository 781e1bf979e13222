import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import * as path from 'node:path';
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';
import { AppError, isAppError, type ErrorCode } from './errors';
import type { Logger } from './logger';

/**
 * Request/response over node:worker_threads for CPU-bound work that must not run on the event loop
 * (model sessions, image decoding). Messages carry ids; typed-array buffers travel in transfer lists
 * (moved, not copied). Log lines of the worker come back to the parent's logger. A worker that dies
 * rejects what it was running and is replaced.
 */

/** An AppError (or any error) as it crosses the thread boundary (structured clone loses the class). */
interface WireError {
  readonly code?: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly expression?: readonly string[];
}

type WorkerMessage =
  | { readonly kind: 'ready'; readonly info: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'start-failed'; readonly error: WireError }
  | { readonly kind: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly fields: Record<string, unknown>; readonly msg: string };

function toWire(error: unknown): WireError {
  if (isAppError(error)) return { code: error.code, message: error.message, details: error.details, expression: error.expression };
  return { message: error instanceof Error ? error.message : String(error) };
}

function fromWire(wire: WireError): Error {
  return wire.code ? new AppError(wire.code, wire.message, { details: wire.details, expression: wire.expression }) : new Error(wire.message);
}

/** The nearest tsconfig.json above `from` (what @swc-node/register resolves @brixia/* aliases with). */
function findTsconfig(from: string): string | undefined {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The calling thread's id on Linux ("/proc/thread-self" links to "<pid>/task/<tid>"); undefined elsewhere. */
function currentThreadId(): number | undefined {
  try {
    const tid = Number(path.basename(readlinkSync('/proc/thread-self')));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** The calling thread's nice value (Linux, from /proc/thread-self/stat); undefined elsewhere. */
export function currentThreadNice(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name; nice is field 19 of proc(5), the 17th after it.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return undefined;
  }
}

/**
 * Lowers the calling thread's scheduling priority by `increment` nice steps (at most to 19; lowering needs
 * no privilege). On Linux nice is per thread (setpriority(2) on a thread id, see sched(7)) and threads
 * created afterwards inherit it, so a session thread reniced before it creates its session also lowers
 * ONNX Runtime's intra-op threads: the event loop, at the process's own priority, preempts them when
 * HTTP or queue work arrives, and they take every cycle it leaves idle. Returns the thread's nice
 * value, or undefined where a single thread cannot be reniced (not Linux).
 */
export function lowerCurrentThreadPriority(increment: number): number | undefined {
  const tid = currentThreadId();
  if (tid === undefined || increment <= 0) return currentThreadNice();
  setPriority(tid, Math.min(19, getPriority(tid) + increment));
  return currentThreadNice();
}

/**
 * A worker on a module file. Compiled JavaScript (the container image) runs as it is; a TypeScript
 * source (npm start, Jest, benchmarks) is loaded through @swc-node/register inside the worker, because
 * neither the parent's `-r` hook nor Jest's transform reaches a worker thread. With `niceIncrement`
 * the thread lowers its own priority before the module loads (lowerCurrentThreadPriority).
 */
export function spawnModuleWorker(entry: string, workerData: unknown, name: string, niceIncrement = 0): Worker {
  const typescript = entry.endsWith('.ts');
  if (!typescript && niceIncrement <= 0) return new Worker(entry, { workerData, name, execArgv: [] });
  const bootstrap: string[] = [];
  if (typescript) {
    const tsconfig = process.env['SWC_NODE_PROJECT'] ?? findTsconfig(entry);
    bootstrap.push(
      `process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || ${JSON.stringify(tsconfig ?? '')} || undefined;`,
      `process.env.SWC_NODE_IGNORE_DYNAMIC = process.env.SWC_NODE_IGNORE_DYNAMIC || '1';`,
      `require(require.resolve('@swc-node/register', { paths: [${JSON.stringify(path.dirname(entry))}] }));`,
    );
  }
  // This module itself (the .ts source or its compiled .js), loaded in the thread before the entry.
  if (niceIncrement > 0) bootstrap.push(`require(${JSON.stringify(__filename)}).lowerCurrentThreadPriority(${Math.floor(niceIncrement)});`);
  bootstrap.push(`require(${JSON.stringify(entry)});`);
  return new Worker(bootstrap.join('\n'), { eval: true, workerData, name, execArgv: [] });
}

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

/** The worker side: what a handler returns, and which buffers of it to move instead of copy. */
export interface WorkerReply<Response> {
  readonly value: Response;
  readonly transfer?: readonly TransferListItem[];
}

/**
 * The buffers behind `views` that may move to another thread: only those a view spans whole (a
 * slice of Node's shared Buffer pool, or of a bigger allocation, is copied instead).
 */
export function wholeBuffers(...views: readonly ArrayBufferView[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const view of views) {
    if (view.buffer instanceof ArrayBuffer && view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) buffers.add(view.buffer);
  }
  return [...buffers];
}

/** A Logger whose lines go to the parent thread's logger. */
export function parentLogger(): Logger {
  const send = (level: 'debug' | 'info' | 'warn' | 'error') => (fields: Record<string, unknown>, msg: string) =>
    parentPort?.postMessage({ kind: 'log', level, fields, msg } satisfies WorkerMessage);
  const logger: Logger = { debug: send('debug'), info: send('info'), warn: send('warn'), error: send('error'), child: () => logger };
  return logger;
}

/**
 * Runs inside a worker: `setup` once (its result is reported as ready info, a failure as the
 * start-up error), then `handle` for each request, one at a time.
 */
export function serveWorkerRequests<Request, Response, State>(
  setup: () => Promise<{ state: State; info: unknown }>,
  handle: (state: State, request: Request) => Promise<WorkerReply<Response>>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerRequests must run in a worker thread');
  setup().then(
    ({ state, info }) => {
      port.on('message', (message: { id: number; request: Request }) => {
        handle(state, message.request).then(
          (reply) => port.postMessage({ kind: 'result', id: message.id, value: reply.value } satisfies WorkerMessage, [...(reply.transfer ?? [])]),
          (error: unknown) => port.postMessage({ kind: 'error', id: message.id, error: toWire(error) } satisfies WorkerMessage),
        );
      });
      port.postMessage({ kind: 'ready', info } satisfies WorkerMessage);
    },
    (error: unknown) => port.postMessage({ kind: 'start-failed', error: toWire(error) } satisfies WorkerMessage),
  );
}
