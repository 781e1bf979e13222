import type { StartingServiceProcess } from './process';

/** What became of one worker process (a slot's start or restart). */
export interface WorkerLife {
  readonly slot: number;
  /** Spawn → "worker ready" (ms); undefined when it was killed (or ended) before it was ready. */
  readonly readyMs?: number;
  /** Spawn → its first image fetched from the PACS, i.e. its first job taken (ms); undefined if none. */
  readonly firstJobMs?: number;
  /** Scoring jobs it completed (a job redone after a kill counts once per process that finished it). */
  readonly jobsCompleted: number;
  /** SIGKILLed by the fleet (false: still running at the end). */
  readonly killed: boolean;
}

interface Slot {
  process: StartingServiceProcess;
  ready: boolean;
}

function logTime(output: string, msg: string): number | undefined {
  const line = output.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
  const time = line?.match(/"time":"([^"]+)"/)?.[1];
  return time === undefined ? undefined : Date.parse(time);
}

function lifeOf(slot: number, worker: StartingServiceProcess, ready: boolean, killed: boolean): WorkerLife {
  const output = worker.output();
  const readyAt = logTime(output, 'worker ready');
  const firstJobAt = logTime(output, 'image retrieved over WADO-RS');
  return {
    slot,
    readyMs: ready && readyAt !== undefined ? readyAt - worker.spawnedAt : undefined,
    firstJobMs: firstJobAt === undefined ? undefined : firstJobAt - worker.spawnedAt,
    jobsCompleted: output.split('\n').filter((l) => l.includes('"msg":"scoring completed"')).length,
    killed,
  };
}

/**
 * `size` worker slots, each holding one process (starting or running). killRandom() picks a slot
 * uniformly, whatever its process is doing: a worker killed while it is still starting counts as a
 * kill like any other, and every killed worker is replaced at once.
 */
export class WorkerFleet {
  private readonly slots: Slot[] = [];
  private readonly lives: WorkerLife[] = [];

  constructor(
    private readonly size: number,
    private readonly spawnWorker: () => Promise<StartingServiceProcess>,
  ) {}

  /** Spawns every slot's first process side by side; resolves once they are spawned (not ready). */
  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) this.slots.push(await this.spawnInto());
  }

  /** Resolves once every slot's current process is ready. */
  async allReady(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.process.ready));
  }

  /** SIGKILLs the process of a random slot and spawns its replacement; returns the slot's index. */
  async killRandom(): Promise<number> {
    const index = Math.floor(Math.random() * this.slots.length);
    const slot = this.slots[index];
    await slot.process.stop('SIGKILL');
    this.lives.push(lifeOf(index, slot.process, slot.ready, true));
    this.slots[index] = await this.spawnInto();
    return index;
  }

  /** Kills what still runs; returns every process's life (killed ones first, in kill order). */
  async stop(): Promise<WorkerLife[]> {
    for (const [index, slot] of this.slots.entries()) {
      await slot.process.stop('SIGKILL');
      this.lives.push(lifeOf(index, slot.process, slot.ready, false));
    }
    this.slots.length = 0;
    return [...this.lives];
  }

  private async spawnInto(): Promise<Slot> {
    const slot: Slot = { process: await this.spawnWorker(), ready: false };
    slot.process.ready.then(
      () => (slot.ready = true),
      () => undefined,
    );
    return slot;
  }
}

/** min / median / max of a list of milliseconds, in seconds (`-` when empty). */
export function spread(values: readonly number[]): string {
  if (values.length === 0) return '-';
  const sorted = [...values].sort((a, b) => a - b);
  const s = (ms: number): string => (ms / 1000).toFixed(1);
  return `${s(sorted[0])} / ${s(sorted[Math.floor(sorted.length / 2)])} / ${s(sorted[sorted.length - 1])} s`;
}
