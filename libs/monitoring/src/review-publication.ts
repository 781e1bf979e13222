import { randomUUID } from 'node:crypto';
import { forPublication, type FhirConfig } from '@brixia/fhir';
import type { NewOutboxMessage, ResultPublication } from '@brixia/persistence';
import type { ReviewPlan } from './review';

/**
 * The outbox message that re-publishes a review to the EHR the result was published to: the
 * reviewed Observation, the DiagnosticReport (publication identifier kept, explanation images left
 * out, as on the first publication) and the revision Provenance. Delivered after the result's own
 * message (libs/scoring deliverOutboxMessage), as updates of the resources that one created.
 */
export function revisionPublication(config: FhirConfig, resultId: string, publication: ResultPublication, plan: ReviewPlan): NewOutboxMessage {
  const resources: fhir4.FhirResource[] = [plan.observation, ...(plan.diagnosticReport ? [plan.diagnosticReport] : []), plan.provenance];
  return {
    id: randomUUID(),
    resultId,
    taskId: publication.taskId,
    kind: 'revision',
    destination: publication.destination,
    // applyReview writes the version it read + 1 or fails (compare-and-set), so this is the version published.
    payload: { resources: resources.map((resource) => forPublication(config, resource)), resultVersion: plan.expectedVersion + 1 },
  };
}
