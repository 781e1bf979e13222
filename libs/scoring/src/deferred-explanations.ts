import type { ScoreModel } from '@brixia/inference';
import type { ExplanationJob } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { renderMissingExplanations, type HeldExplanationInput } from './recover-explanations';

/** Radiographs (1 MiB each at 1024²) kept for renders still to come; beyond this the render decodes again. */
const DEFAULT_MAX_HELD = 32;

/**
 * Explanation overlays handed off the scoring job: the job records a durable explanation job and ends,
 * so its slot and the cores go to the next scoring; the overlays are rendered once scoring is idle
 * (renderDeferredExplanations). This process keeps the radiograph and CAMs of each pending render in
 * memory, so it neither re-reads nor re-runs anything; a render that finds nothing held (another worker
 * process, a restart, or more pending than held) decodes the stored image and runs the model again.
 */
export class DeferredExplanations {
  private readonly held = new Map<string, HeldExplanationInput>();

  constructor(
    private readonly enqueue: (job: ExplanationJob) => Promise<void>,
    private readonly maxHeld = DEFAULT_MAX_HELD,
  ) {}

  /** Keeps `input` for the render and records the job; resolves once the job is durable. */
  async defer(taskId: string, input: HeldExplanationInput): Promise<void> {
    this.held.delete(taskId);
    this.held.set(taskId, input);
    // The oldest go first: their renders fall back to decoding the stored image.
    for (const oldest of this.held.keys()) {
      if (this.held.size <= this.maxHeld) break;
      this.held.delete(oldest);
    }
    try {
      await this.enqueue({ taskId });
    } catch (error) {
      this.held.delete(taskId);
      throw error;
    }
  }

  /** The held input of a task, once: a second render of the same task reads the stored image. */
  take(taskId: string): HeldExplanationInput | undefined {
    const input = this.held.get(taskId);
    this.held.delete(taskId);
    return input;
  }

  get heldCount(): number {
    return this.held.size;
  }
}

export interface IdleGate {
  /** True while this process has no scoring job running. */
  readonly scoringIdle: () => boolean;
  /** True once the queue stops: the wait ends at once. */
  readonly stopping: () => boolean;
  /** How long a render waits for idle scoring before it starts anyway at its lower priority. */
  readonly maxWaitMs: number;
  readonly pollMs?: number;
}

/**
 * Renders a scored task's explanation overlays once scoring has been idle for two polls in a row (or after
 * `maxWaitMs`, so a queue that never empties still gets its overlays, from the lower-priority render
 * threads). Idempotent like the redelivery path it shares: a report that has its images, a failed
 * Task or a result of another model renders nothing.
 */
export async function renderDeferredExplanations(context: ScoringContext, model: ScoreModel, job: ExplanationJob, gate: IdleGate): Promise<void> {
  const logger = context.logger.child({ taskId: job.taskId });
  await waitForIdleScoring(gate);
  const held = context.deferredExplanations?.take(job.taskId);
  const task = await context.store.findTask(job.taskId);
  if (!task || task.status !== 'completed') return;
  const started = Date.now();
  const rendered = await renderMissingExplanations(context, model, task, logger, held);
  if (rendered) context.observeStage?.('explain', Date.now() - started);
}

async function waitForIdleScoring(gate: IdleGate): Promise<void> {
  const pollMs = gate.pollMs ?? 100;
  const deadline = Date.now() + gate.maxWaitMs;
  let idlePolls = 0;
  while (idlePolls < 2 && Date.now() < deadline && !gate.stopping()) {
    idlePolls = gate.scoringIdle() ? idlePolls + 1 : 0;
    if (idlePolls < 2) await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
