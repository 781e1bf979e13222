import type { MonitoringEvent, MonitoringEvents } from '@brixia/monitoring';

/**
 * Adapts monitoring events to the AsyncIterator a GraphQL subscription resolver returns. Events
 * are queued per subscriber (bounded: the oldest are dropped past `maxQueued`) and the listener
 * is removed when the client unsubscribes (return()).
 */
export function eventIterator<T>(events: MonitoringEvents, select: (event: MonitoringEvent) => T | undefined, maxQueued = 1000): AsyncIterableIterator<T> {
  const queue: T[] = [];
  const waiting: Array<(result: IteratorResult<T>) => void> = [];
  let done = false;
  const unsubscribe = events.subscribe((event) => {
    const value = select(event);
    if (value === undefined || done) return;
    const next = waiting.shift();
    if (next) next({ value, done: false });
    else {
      queue.push(value);
      if (queue.length > maxQueued) queue.shift();
    }
  });
  const finish = async (): Promise<IteratorResult<T>> => {
    done = true;
    unsubscribe();
    for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
    return { value: undefined, done: true };
  };
  return {
    next: async (): Promise<IteratorResult<T>> => {
      if (queue.length > 0) return { value: queue.shift() as T, done: false };
      if (done) return { value: undefined, done: true };
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: async (error?: unknown): Promise<IteratorResult<T>> => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator](): AsyncIterableIterator<T> {
      return this;
    },
  };
}
