import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { apiBase, canonical, type FhirConfig } from './config';
import { withNarrative } from './narrative';

/** Subscriptions R5 Backport IG (http://hl7.org/fhir/uv/subscriptions-backport/) on R4. */
const BACKPORT = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition';
export const BACKPORT_EXTENSIONS = {
  payloadContent: `${BACKPORT}/backport-payload-content`,
  heartbeatPeriod: `${BACKPORT}/backport-heartbeat-period`,
  timeout: `${BACKPORT}/backport-timeout`,
  maxCount: `${BACKPORT}/backport-max-count`,
  filterCriteria: `${BACKPORT}/backport-filter-criteria`,
} as const;
export const BACKPORT_SUBSCRIPTION_PROFILE = `${BACKPORT}/backport-subscription`;
export const BACKPORT_STATUS_PROFILE = `${BACKPORT}/backport-subscription-status-r4`;

/** The topic this service publishes: a Brixia result Observation was created or updated. */
export function brixiaResultTopicUrl(config: FhirConfig): string {
  return `${canonical(config)}/SubscriptionTopic/brixia-result`;
}

/** Our extension carrying the shared secret for the optional HMAC-SHA256 signature header. */
export function subscriptionHmacExtensionUrl(config: FhirConfig): string {
  return `${canonical(config)}/StructureDefinition/subscription-hmac-secret`;
}

export type PayloadContent = 'empty' | 'id-only' | 'full-resource';
export type NotificationType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status';

/** What a valid rest-hook Subscription on our topic asks for. */
export interface SubscriptionRequest {
  readonly endpoint: string;
  readonly headers: readonly string[];
  readonly payloadContent: PayloadContent;
  readonly heartbeatSeconds?: number;
  readonly timeoutSeconds?: number;
  /** Only results of this patient (filter criteria `Observation?patient=Patient/<id>`). */
  readonly patientId?: string;
  readonly hmacSecret?: string;
  readonly end?: string;
}

function invalid(message: string, expression: string): AppError {
  return new AppError('REQUEST.INVALID', message, { expression: [expression] });
}

function extensionValue(element: { extension?: fhir4.Extension[] } | undefined, url: string): fhir4.Extension | undefined {
  return element?.extension?.find((extension) => extension.url === url);
}

/**
 * Validates a POSTed Subscription against the backport profile as far as this service supports it:
 * criteria = our topic canonical, channel rest-hook to an http(s) endpoint, payload
 * application/fhir+json with backport-payload-content, optional heartbeat, timeout, patient filter
 * and HMAC secret. Throws REQUEST.INVALID pointing at the element.
 */
export function parseSubscription(body: unknown, config: FhirConfig): SubscriptionRequest {
  const resource = body as fhir4.Subscription;
  if (typeof body !== 'object' || body === null || resource.resourceType !== 'Subscription') throw invalid('The body must be a Subscription', 'Subscription');
  if (resource.criteria !== brixiaResultTopicUrl(config)) throw invalid(`Subscription.criteria must be the topic ${brixiaResultTopicUrl(config)}`, 'Subscription.criteria');
  const channel = resource.channel;
  if (channel?.type !== 'rest-hook') throw invalid('Only channel type rest-hook is supported', 'Subscription.channel.type');
  if (!channel.endpoint || !/^https?:\/\//.test(channel.endpoint)) throw invalid('channel.endpoint must be an http(s) URL', 'Subscription.channel.endpoint');
  if (channel.payload !== undefined && channel.payload !== 'application/fhir+json') throw invalid('channel.payload must be application/fhir+json', 'Subscription.channel.payload');
  // backport-payload-content sits on channel.payload, i.e. `_payload.extension` in JSON.
  const payloadElement = (channel as { _payload?: { extension?: fhir4.Extension[] } })._payload;
  const content = (extensionValue(payloadElement, BACKPORT_EXTENSIONS.payloadContent)?.valueCode ?? (channel.payload ? 'id-only' : 'empty')) as PayloadContent;
  if (!['empty', 'id-only', 'full-resource'].includes(content)) throw invalid('backport-payload-content must be empty, id-only or full-resource', 'Subscription.channel.payload');
  const heartbeat = extensionValue(channel as never, BACKPORT_EXTENSIONS.heartbeatPeriod)?.valueUnsignedInt;
  const timeout = extensionValue(channel as never, BACKPORT_EXTENSIONS.timeout)?.valueUnsignedInt;
  const filter = resource._criteria?.extension?.find((extension) => extension.url === BACKPORT_EXTENSIONS.filterCriteria)?.valueString;
  let patientId: string | undefined;
  if (filter !== undefined) {
    const match = /^Observation\?(?:patient|subject)=(?:Patient\/)?([A-Za-z0-9\-.]{1,64})$/.exec(filter);
    if (!match) throw invalid('Only the filter Observation?patient=Patient/<id> is supported', 'Subscription.criteria.extension');
    patientId = match[1];
  }
  const secret = extensionValue(resource as never, subscriptionHmacExtensionUrl(config))?.valueString;
  return {
    endpoint: channel.endpoint,
    headers: channel.header ?? [],
    payloadContent: content,
    heartbeatSeconds: heartbeat && heartbeat > 0 ? heartbeat : undefined,
    timeoutSeconds: timeout && timeout > 0 ? timeout : undefined,
    patientId,
    hmacSecret: secret,
    end: resource.end,
  };
}

/** Subscription as served: the stored request with id, status and profile; the HMAC secret and channel headers are never echoed. */
export function servedSubscription(resource: fhir4.Subscription, id: string, status: fhir4.Subscription['status'], config: FhirConfig, error?: string): fhir4.Subscription {
  // R4 JSON forbids empty arrays: without extensions left after dropping the secret, there is no `extension` at all.
  // channel.header carries the endpoint's credentials (e.g. `Authorization: Bearer …`): kept for delivery, never served.
  const { extension: given, channel: storedChannel, ...rest } = resource;
  const { header: _secretHeaders, ...channel } = storedChannel;
  const extension = (given ?? []).filter((extension) => extension.url !== subscriptionHmacExtensionUrl(config));
  return {
    ...rest,
    channel,
    id,
    meta: { profile: [BACKPORT_SUBSCRIPTION_PROFILE] },
    status,
    ...(error ? { error } : {}),
    ...(extension.length > 0 ? { extension } : {}),
  };
}

export interface StatusInput {
  readonly subscriptionId: string;
  readonly status: fhir4.Subscription['status'];
  readonly type: NotificationType;
  readonly eventsSinceSubscriptionStart: number;
  readonly events?: ReadonlyArray<{ readonly eventNumber: number; readonly timestamp: string; readonly focus?: string }>;
  readonly error?: string;
}

/** The SubscriptionStatus of the backport on R4: a Parameters (backport-subscription-status-r4). */
export function subscriptionStatusParameters(input: StatusInput, config: FhirConfig): fhir4.Parameters {
  const base = apiBase(config.baseUrl);
  return {
    resourceType: 'Parameters',
    meta: { profile: [BACKPORT_STATUS_PROFILE] },
    parameter: [
      { name: 'subscription', valueReference: { reference: `${base}/Subscription/${input.subscriptionId}` } },
      { name: 'topic', valueCanonical: brixiaResultTopicUrl(config) },
      { name: 'status', valueCode: input.status },
      { name: 'type', valueCode: input.type },
      { name: 'events-since-subscription-start', valueString: String(input.eventsSinceSubscriptionStart) },
      ...(input.events ?? []).map((event) => ({
        name: 'notification-event',
        part: [
          { name: 'event-number', valueString: String(event.eventNumber) },
          { name: 'timestamp', valueInstant: event.timestamp },
          ...(event.focus ? [{ name: 'focus', valueReference: { reference: `${base}/${event.focus}` } }] : []),
        ],
      })),
      ...(input.error ? [{ name: 'error', valueCodeableConcept: { text: input.error } }] : []),
    ],
  };
}

/**
 * A notification: `history` Bundle whose first entry is the SubscriptionStatus (with the request
 * `GET Subscription/<id>/$status`), then the focus resource for full-resource payloads, or an entry with
 * only the focus's fullUrl for id-only payloads (backport IG § "Notifications"). Empty payloads carry no
 * focus reference at all.
 */
export function notificationBundle(input: StatusInput & { readonly id: string; readonly timestamp: string; readonly payloadContent: PayloadContent; readonly focusResource?: fhir4.FhirResource }, config: FhirConfig): fhir4.Bundle {
  const base = apiBase(config.baseUrl);
  const status = subscriptionStatusParameters(
    { ...input, events: input.payloadContent === 'empty' ? input.events?.map(({ focus: _focus, ...rest }) => rest) : input.events },
    config,
  );
  const entry: fhir4.BundleEntry[] = [
    { fullUrl: `urn:uuid:${input.id}`, resource: status, request: { method: 'GET', url: `${base}/Subscription/${input.subscriptionId}/$status` }, response: { status: '200' } },
  ];
  if (input.payloadContent === 'full-resource' && input.focusResource) {
    entry.push({ fullUrl: `${base}/${input.focusResource.resourceType}/${input.focusResource.id}`, resource: withNarrative(input.focusResource), request: { method: 'POST', url: input.focusResource.resourceType }, response: { status: '201' } });
  } else if (input.payloadContent === 'id-only') {
    // id-only (Backport IG STU 1.1, "Payload Types"): each focus as an entry with its fullUrl (and the
    // request that made it) but no resource, besides the focus reference in the status's notification-event.
    for (const event of input.events ?? []) {
      if (!event.focus) continue;
      entry.push({ fullUrl: `${base}/${event.focus}`, request: { method: 'POST', url: event.focus.split('/')[0] }, response: { status: '201' } });
    }
  }
  return { resourceType: 'Bundle', id: input.id, type: 'history', timestamp: input.timestamp, entry };
}
