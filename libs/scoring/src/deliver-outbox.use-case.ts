import { AppError, toAppError, type Logger } from '@brixia/common';
import { identifierQuery, type EhrDirectory } from '@brixia/ehr';
import type { OutboxMessageEntity, OutboxStore } from '@brixia/persistence';

/** How long and how often publication is retried (configured in hours, not minutes). */
export interface OutboxPolicy {
  readonly retryPeriodMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Exponential backoff with "full jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a random delay in [d/2, d] with d = base·2^(attempt−1) capped at max, so recovering EHRs are not
 * hit by every service at once. `attempts` counts tries so far (≥ 1).
 */
export function outboxRetryDelay(attempts: number, policy: OutboxPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Codes no retry can fix: the message is dead-lettered at once (an operator may redeliver). */
const PERMANENT = new Set(['UPSTREAM.INVALID_RESPONSE', 'UPSTREAM.NOT_ALLOWED', 'REQUEST.INVALID', 'UPSTREAM.TOO_LARGE']);

function rewriteReferences<T>(value: T, remote: Readonly<Record<string, string>>): T {
  return JSON.parse(JSON.stringify(value), (key, item: unknown) => (key === 'reference' && typeof item === 'string' && remote[item] ? remote[item] : item)) as T;
}

function ifNoneExistFor(resource: fhir4.FhirResource, remote: Readonly<Record<string, string>>): string {
  if (resource.resourceType === 'Provenance') {
    // R4 Provenance has no identifier: one Provenance per published Observation, found by its target.
    const target = resource.target.map((t) => t.reference).find((ref) => ref?.startsWith('Observation/'));
    if (!target) throw new AppError('INTERNAL', 'A Provenance to publish must target the Observation');
    return `target=${encodeURIComponent(remote[target] ?? target)}`;
  }
  const identifier = 'identifier' in resource ? (resource.identifier as fhir4.Identifier[] | undefined)?.[0] : undefined;
  if (!identifier?.system || !identifier.value) throw new AppError('INTERNAL', `A ${resource.resourceType} to publish needs an identifier`);
  return identifierQuery({ system: identifier.system, value: identifier.value });
}

/**
 * Delivers one outbox message: each resource in order with a conditional create, references
 * rewritten to the ids the EHR assigned (remembered across tries). Success → delivered; failure →
 * retried with backoff until the retry period is spent, then dead (Task businessStatus publish-failed).
 */
export async function deliverOutboxMessage(
  ehr: EhrDirectory,
  outbox: OutboxStore,
  message: OutboxMessageEntity,
  policy: OutboxPolicy,
  logger: Logger,
  now: () => Date = () => new Date(),
): Promise<'delivered' | 'retry' | 'dead'> {
  const remote: Record<string, string> = { ...(message.payload.initialRemoteIds ?? {}), ...(message.remoteIds ?? {}) };
  const log = logger.child({ outboxId: message.id, observationId: message.resultId, taskId: message.taskId, attempt: message.attempts });
  try {
    const { server } = ehr.serverFor(message.destination);
    for (const resource of message.payload.resources) {
      const local = `${resource.resourceType}/${resource.id}`;
      const body = rewriteReferences(resource, remote);
      const result = await server.conditionalCreate(body, ifNoneExistFor(body, remote));
      if (!result.id) throw new AppError('UPSTREAM.INVALID_RESPONSE', `The EHR did not return the id of the ${resource.resourceType}`);
      remote[local] = `${resource.resourceType}/${result.id}`;
    }
    await outbox.markDelivered(message.id, remote);
    log.info({ destination: message.destination }, 'result published to the EHR');
    return 'delivered';
  } catch (error) {
    const appError = toAppError(error);
    const expired = now().getTime() - message.createdAt.getTime() >= policy.retryPeriodMs;
    const dead = expired || PERMANENT.has(appError.code);
    const next = dead ? null : new Date(now().getTime() + outboxRetryDelay(message.attempts, policy));
    await outbox.markFailed(message.id, `${appError.code}: ${appError.message}`, next, remote);
    log.warn({ code: appError.code, dead, nextAttemptAt: next?.toISOString() }, dead ? 'publication dead-lettered' : 'publication will be retried');
    return dead ? 'dead' : 'retry';
  }
}
