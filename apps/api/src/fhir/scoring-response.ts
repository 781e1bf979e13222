import type { Response } from 'express';
import type { Request } from 'express';
import type { NewAuditEvent, RecordedRequest } from '@brixia/persistence';
import { awaitTaskOutcome, taskResource, type ScoringContext } from '@brixia/scoring';
import type { AuditTrail } from '../audit/audit-trail';
import type { AppConfig } from '../config';
import { sendCreated, sendFhir } from '../infrastructure/fhir-response';

/**
 * Answers an accepted scoring request: `Prefer: respond-async` → 202 + Content-Location of the Task
 * (http://hl7.org/fhir/R4/async.html); otherwise wait (bounded) and return the Observation, or the
 * failure as an OperationOutcome; past the bound it degrades to the async answer (nothing is lost).
 * An instance skipped because its study already has its timeline point answers 200 with its Task
 * (businessStatus `skipped`, the point in Task.output): no Observation of its own exists.
 */
export async function respondToScoringRequest(scoring: ScoringContext, config: AppConfig, response: Response, recorded: RecordedRequest, respondAsync: boolean): Promise<void> {
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
    if (outcome.state === 'skipped') {
      sendFhir(response, 200, await taskResource(scoring, outcome.task), { 'Content-Location': taskUrl });
      return;
    }
  }
  const task = await scoring.store.findTask(recorded.task.id);
  sendFhir(response, 202, await taskResource(scoring, task ?? recorded.task), { 'Content-Location': taskUrl });
}

/** The AuditEvent of a scoring request (upload, `$brixia-score`), built in the transaction that records its Task. */
export function scoringRequestAudit(audit: AuditTrail, request: Request): ((recorded: RecordedRequest) => NewAuditEvent) | undefined {
  const build = audit.forTransaction(request);
  if (!build) return undefined;
  return (recorded) =>
    build(recorded.created ? 201 : 200, {
      entities: [`Task/${recorded.task.id}`, ...(recorded.task.imagingStudyId ? [`ImagingStudy/${recorded.task.imagingStudyId}`] : [])],
      patientIds: recorded.task.patientId ? [recorded.task.patientId] : [],
    });
}
