import type { Response } from 'express';
import type { RecordedRequest } from '@brixia/persistence';
import { awaitTaskOutcome, taskResource } from '@brixia/scoring';
import type { Runtime } from '../runtime';
import { sendCreated, sendFhir } from '../infrastructure/fhir-response';

/**
 * Answers an accepted scoring request: `Prefer: respond-async` → 202 + Content-Location of the Task
 * (http://hl7.org/fhir/R4/async.html); otherwise wait (bounded) and return the Observation, or the
 * failure as an OperationOutcome; past the bound it degrades to the async answer (nothing is lost).
 */
export async function respondToScoringRequest(runtime: Runtime, response: Response, recorded: RecordedRequest, respondAsync: boolean): Promise<void> {
  const { scoring, config } = runtime;
  const taskUrl = `${config.fhir.baseUrl}/Task/${recorded.task.id}`;
  if (!respondAsync) {
    const outcome = await awaitTaskOutcome(scoring, recorded.task.id, config.limits.syncTimeoutMs);
    if (outcome.state === 'completed') {
      // A create as far as the client sees it: Prefer: return=minimal|representation|OperationOutcome applies.
      sendCreated(response.req, response, recorded.created ? 201 : 200, outcome.observation, {
        Location: `${config.fhir.baseUrl}/Observation/${outcome.observation.id}`,
        'Content-Location': taskUrl,
      });
      return;
    }
  }
  const task = await scoring.store.findTask(recorded.task.id);
  sendFhir(response, 202, taskResource(scoring, task ?? recorded.task), { 'Content-Location': taskUrl });
}
