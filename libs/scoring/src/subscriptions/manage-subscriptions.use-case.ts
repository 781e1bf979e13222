import { randomUUID } from 'node:crypto';
import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN, parseSubscription, searchsetBundle, servedSubscription, subscriptionStatusParameters } from '@brixia/fhir';
import type { SubscriptionRecord } from '@brixia/persistence';
import type { ScoringContext } from '../scoring-context';
import type { SubscriptionsContext } from './subscriptions-context';

function required(context: ScoringContext): SubscriptionsContext {
  if (!context.subscriptions) throw new AppError('RESOURCE.NOT_FOUND', 'Subscriptions are not enabled on this server');
  return context.subscriptions;
}

/** The stored Subscription, or null; an id outside the FHIR id grammar names nothing (and PostgreSQL rejects NUL in text: a 500). */
async function findSubscription(context: ScoringContext, id: string): Promise<SubscriptionRecord | null> {
  const subscriptions = required(context);
  return FHIR_ID_PATTERN.test(id) ? subscriptions.store.find(id) : null;
}

/** The Subscription as served from its record. */
export function subscriptionResource(context: ScoringContext, row: SubscriptionRecord): fhir4.Subscription {
  return servedSubscription(row.resource, row.id, row.status, context.fhir, row.error ?? undefined);
}

/**
 * `POST Subscription`: validates (backport profile, our topic, rest-hook, endpoint on the allow-list),
 * stores it as `requested` and queues the handshake; the subscription becomes `active` once the
 * endpoint accepts the handshake (R5 Backport IG, "Handshake").
 */
export async function createSubscription(context: ScoringContext, body: unknown): Promise<fhir4.Subscription> {
  const subscriptions = required(context);
  const request = parseSubscription(body, context.fhir);
  if (!subscriptions.isAllowedEndpoint(request.endpoint)) {
    throw new AppError('UPSTREAM.NOT_ALLOWED', 'The subscription endpoint is not under a configured base URL', { expression: ['Subscription.channel.endpoint'] });
  }
  const row = await subscriptions.store.create({
    id: randomUUID(),
    resource: body as fhir4.Subscription,
    endpoint: request.endpoint,
    headers: [...request.headers],
    payloadContent: request.payloadContent,
    patientId: request.patientId ?? null,
    heartbeatSeconds: request.heartbeatSeconds ?? null,
    timeoutSeconds: request.timeoutSeconds ?? null,
    hmacSecret: request.hmacSecret ?? null,
  });
  context.logger.info({ subscriptionId: row.id, payload: request.payloadContent, filtered: request.patientId !== undefined }, 'subscription requested');
  return subscriptionResource(context, row);
}

export async function readSubscription(context: ScoringContext, id: string): Promise<fhir4.Subscription> {
  const row = await findSubscription(context, id);
  if (!row) throw new AppError('RESOURCE.NOT_FOUND', `Subscription/${id} is not known`);
  return subscriptionResource(context, row);
}

export async function deleteSubscription(context: ScoringContext, id: string): Promise<void> {
  const subscriptions = required(context);
  if (!FHIR_ID_PATTERN.test(id) || !(await subscriptions.store.delete(id))) throw new AppError('RESOURCE.NOT_FOUND', `Subscription/${id} is not known`);
}

/** `Subscription/<id>/$status`: a searchset Bundle holding the SubscriptionStatus (type query-status). */
export async function subscriptionStatus(context: ScoringContext, id: string, selfUrl: string): Promise<fhir4.Bundle> {
  const row = await findSubscription(context, id);
  if (!row) throw new AppError('RESOURCE.NOT_FOUND', `Subscription/${id} is not known`);
  const status = subscriptionStatusParameters(
    { subscriptionId: row.id, status: row.status, type: 'query-status', eventsSinceSubscriptionStart: Number(row.eventsSinceStart), error: row.error ?? undefined },
    context.fhir,
  );
  return searchsetBundle({ resources: [status], total: 1, selfUrl, baseUrl: context.fhir.baseUrl });
}

/**
 * Type-level `Subscription/$status` (backport IG OperationDefinition backport-subscription-status):
 * a searchset Bundle of SubscriptionStatus for the Subscriptions named by `ids` (all when empty),
 * optionally only those in one of `statuses`.
 */
export async function subscriptionStatuses(context: ScoringContext, query: { ids: readonly string[]; statuses: readonly string[] }, selfUrl: string): Promise<fhir4.Bundle> {
  const subscriptions = required(context);
  const rows = (await subscriptions.store.list()).filter(
    (row) => (query.ids.length === 0 || query.ids.includes(row.id)) && (query.statuses.length === 0 || query.statuses.includes(row.status)),
  );
  const statuses = rows.map((row) =>
    subscriptionStatusParameters(
      { subscriptionId: row.id, status: row.status, type: 'query-status', eventsSinceSubscriptionStart: Number(row.eventsSinceStart), error: row.error ?? undefined },
      context.fhir,
    ),
  );
  return searchsetBundle({ resources: statuses, total: statuses.length, selfUrl, baseUrl: context.fhir.baseUrl });
}
