import { EventEmitter } from 'node:events';

/**
 * Wakes synchronous requests when their task ends. In-process events give low latency when the
 * API and the worker share a process (role `all`); polling covers separate worker processes.
 */
export class TaskCompletionNotifier {
  private readonly events = new EventEmitter().setMaxListeners(0);

  notify(taskId: string): void {
    this.events.emit(taskId);
  }

  /** Resolves when `isDone()` holds, re-checking on notification and every `pollMs`; false on timeout. */
  async waitFor(taskId: string, isDone: () => Promise<boolean>, timeoutMs: number, pollMs = 250): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    if (await isDone()) return true;
    while (Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.events.off(taskId, wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(pollMs, Math.max(0, deadline - Date.now())));
        this.events.on(taskId, wake);
      });
      if (await isDone()) return true;
    }
    return false;
  }
}
