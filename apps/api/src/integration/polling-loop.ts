import type { Logger } from '@brixia/common';

/**
 * Runs `tick` every `pollMs` (never overlapping itself) until stopped; used for the outbox and the
 * subscription notifications. Errors are logged and the loop goes on: a database blip must not stop
 * publication for good.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly tick: (isStopped: () => boolean) => Promise<unknown>,
    private readonly pollMs: number,
    private readonly logger: Logger,
  ) {}

  start(): this {
    this.schedule(0);
    return this;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick(() => this.stopped)
        .catch((error: unknown) => this.logger.error({ loop: this.name, err: String(error) }, 'polling loop tick failed'))
        .finally(() => this.schedule(this.pollMs));
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
