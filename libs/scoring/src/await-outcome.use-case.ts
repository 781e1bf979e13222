import { AppError, ERROR_TABLE, type ErrorCode } from '@brixia/common';
import type { ScoringTaskRecord } from '@brixia/persistence';
import { readResource } from './read-results.use-case';
import type { ScoringContext } from './scoring-context';

export type TaskOutcome =
  | { readonly state: 'completed'; readonly task: ScoringTaskRecord; readonly observation: fhir4.Observation }
  /** Completed without a result of its own: the study's timeline point is another instance's (Task.output). */
  | { readonly state: 'skipped'; readonly task: ScoringTaskRecord }
  | { readonly state: 'pending'; readonly task: ScoringTaskRecord };

/**
 * Waits (bounded) for a task to end. A failed task surfaces as its AppError (e.g. 422 for a
 * lateral view); still running at the deadline → `pending`, and the client follows the Task.
 */
export async function awaitTaskOutcome(context: ScoringContext, taskId: string, timeoutMs: number): Promise<TaskOutcome> {
  let task: ScoringTaskRecord | null = null;
  await context.completions.waitFor(
    taskId,
    async () => {
      task = await context.store.findTask(taskId);
      return task === null || task.status === 'completed' || task.status === 'failed';
    },
    timeoutMs,
  );
  const current = task as ScoringTaskRecord | null;
  if (!current) throw new AppError('RESOURCE.NOT_FOUND', `Task/${taskId} is not known`);
  if (current.status === 'failed') {
    const code = (current.failure?.code ?? 'INTERNAL') as ErrorCode;
    throw new AppError(code in ERROR_TABLE ? code : 'INTERNAL', current.failure?.message ?? 'Scoring failed', { details: { taskId } });
  }
  if (current.status === 'completed' && current.skipped) return { state: 'skipped', task: current };
  if (current.status === 'completed' && current.observationId) {
    const observation = (await readResource(context, 'Observation', current.observationId)) as fhir4.Observation;
    return { state: 'completed', task: current, observation };
  }
  return { state: 'pending', task: current };
}
