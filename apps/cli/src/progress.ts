/**
 * Progress for a person at a terminal, on stderr (stdout stays for results): model load, n of N files
 * and the time left, estimated from the mean time per file so far. Silent when disabled.
 */
export class ProgressReporter {
  private total = 0;
  private done = 0;
  private startedAt = 0;
  private loadStartedAt = 0;

  constructor(
    private readonly enabled: boolean,
    private readonly write: (text: string) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  loadingModel(): void {
    this.loadStartedAt = this.now();
    this.line('loading the model…');
  }

  modelLoaded(model: string, executionProvider: string): void {
    this.line(`model ${model} loaded in ${((this.now() - this.loadStartedAt) / 1000).toFixed(1)} s (${executionProvider})`);
  }

  start(total: number): void {
    this.total = total;
    this.done = 0;
    this.startedAt = this.now();
  }

  fileDone(): void {
    this.done += 1;
    const elapsed = this.now() - this.startedAt;
    const left = this.done < this.total ? (elapsed / this.done) * (this.total - this.done) : 0;
    this.line(`${this.done} of ${this.total} files scored${this.done < this.total ? `, about ${formatDuration(left)} left` : ''}`);
  }

  finish(): void {
    if (this.enabled && this.total > 0 && this.done < this.total) this.line(`stopped after ${this.done} of ${this.total} files`);
  }

  private line(text: string): void {
    if (this.enabled) this.write(`brixia: ${text}\n`);
  }
}

/** "3 s", "1 min 20 s": coarse on purpose, the estimate is coarse. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
