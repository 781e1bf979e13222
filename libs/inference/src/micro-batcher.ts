/**
 * Collects calls that arrive close together and hands them to one runner call: the first call of a
 * batch waits at most `batchWindowMs` for others, a full batch (`maxBatchSize`) goes at once, and only
 * one batch runs at a time (calls arriving meanwhile form the next batch, which starts as soon as the
 * running one ends: they have already waited longer than the window).
 */
export interface MicroBatcherOptions {
  readonly maxBatchSize: number;
  readonly batchWindowMs: number;
}

/** Runs one batch; must return one result per item, in order. A rejection fails every item of the batch. */
export type BatchRunner<I, O> = (items: readonly I[]) => Promise<readonly O[]>;

interface Pending<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (reason: unknown) => void;
}

export class MicroBatcher<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly runner: BatchRunner<I, O>,
    private readonly options: MicroBatcherOptions,
  ) {}

  /** Queues one item; resolves with its result from the batch it ends up in. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or running. */
  drain(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running) return;
    if (this.queue.length >= this.options.maxBatchSize) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.options.batchWindowMs);
    }
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatchSize);
    this.running = true;
    void this.runBatch(batch).finally(() => {
      this.running = false;
      if (this.queue.length > 0) {
        this.flush();
      } else {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const wake of waiters) wake();
      }
    });
  }

  private async runBatch(batch: readonly Pending<I, O>[]): Promise<void> {
    try {
      const results = await this.runner(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`batch runner returned ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }
}
