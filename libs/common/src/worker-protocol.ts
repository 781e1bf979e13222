import { parentPort, type TransferListItem } from 'node:worker_threads';
import { AppError, isAppError, type ErrorCode } from './errors';
import type { Logger } from './logger';

/**
 * The messages a worker thread and its pool exchange (worker-pool.ts is the parent side), and the
 * worker side itself: requests carry ids, typed-array buffers travel in transfer lists (moved, not
 * copied), log lines of the worker come back to the parent's logger.
 */

/** An AppError (or any error) as it crosses the thread boundary (structured clone loses the class). */
export interface WireError {
  readonly code?: ErrorCode;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>>;
  readonly expression?: readonly string[];
}

/** What a worker thread posts to its pool (requests go the other way as `{ id, request }`). */
export type WorkerMessage =
  | { readonly kind: 'ready'; readonly info: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'start-failed'; readonly error: WireError }
  | { readonly kind: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly fields: Record<string, unknown>; readonly msg: string };

/** An error as it is posted across the thread boundary. */
export function toWire(error: unknown): WireError {
  if (isAppError(error)) return { code: error.code, message: error.message, details: error.details, expression: error.expression };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** The error a wire error stands for again: an AppError with its code and details, else a plain Error. */
export function fromWire(wire: WireError): Error {
  return wire.code ? new AppError(wire.code, wire.message, { details: wire.details, expression: wire.expression }) : new Error(wire.message);
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
