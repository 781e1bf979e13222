import { AppError } from '@brixia/common';
import { identifierQuery, type FhirServerClient } from '@brixia/ehr';
import { generatedNarrative, withNarrative } from '@brixia/fhir';
import type { OutboxKind } from '@brixia/persistence';

/** The EHR calls delivery makes (FhirServerClient; a fake in unit tests). */
export type PublishingServer = Pick<FhirServerClient, 'conditionalCreate' | 'update'>;

/** Replaces every `reference` we hold an EHR id for (our `Type/id` → the EHR's `Type/id`). */
export function rewriteReferences<T>(value: T, remote: Readonly<Record<string, string>>): T {
  return JSON.parse(JSON.stringify(value), (key, item: unknown) => (key === 'reference' && typeof item === 'string' && remote[item] ? remote[item] : item)) as T;
}

/**
 * What the EHR receives: every reference under the EHR's ids (rewriteReferences), and a narrative that
 * was generated from our copy generated again from what is sent, so its text names the EHR's
 * references (`Patient/<id>` there, not its absolute URL here) rather than ours. A narrative a builder
 * wrote (the report's) is kept as it is.
 */
export function asSentToEhr<T extends fhir4.FhirResource>(resource: T, remote: Readonly<Record<string, string>>, id?: string): T {
  const body = rewriteReferences(id === undefined ? resource : { ...resource, id }, remote);
  const { text: ours, ...bare } = resource as T & { text?: fhir4.Narrative };
  // Compared by member (the outbox payload comes back from jsonb with its keys reordered).
  const generated = generatedNarrative(bare as T);
  if (!ours || ours.status !== generated.status || ours.div !== generated.div) return body;
  const { text: _stale, ...rewritten } = body as T & { text?: fhir4.Narrative };
  return withNarrative(rewritten as T);
}

/**
 * The `If-None-Exist` query that finds an earlier copy of `resource` (references already rewritten).
 * Device, Observation and DiagnosticReport: their identifier. R4 Provenance has no identifier, and an
 * Observation has two once reviewed (the AI's and the clinician's revision), so `target` alone would
 * match both (412 in R4 conditional create, or the wrong one): `recorded` tells them apart, one
 * Provenance per instant per Observation. It is sent as `ge` and `le` of the same instant rather than
 * a bare (eq) value: eq asks whether the instant's implicit range contains the stored one, which
 * Medplum's matcher never answers yes for a millisecond instant (strict period overlap), while
 * ge+le pins the exact instant on any server that supports date search (R4 search §3.1.1.4.9).
 */
export function ifNoneExistFor(resource: fhir4.FhirResource, remote: Readonly<Record<string, string>>): string {
  if (resource.resourceType === 'Provenance') {
    const target = resource.target.map((t) => t.reference).find((ref) => ref?.startsWith('Observation/'));
    if (!target) throw new AppError('INTERNAL', 'A Provenance to publish must target the Observation');
    const recorded = encodeURIComponent(resource.recorded);
    return `target=${encodeURIComponent(remote[target] ?? target)}&recorded=ge${recorded}&recorded=le${recorded}`;
  }
  const identifier = 'identifier' in resource ? (resource.identifier as fhir4.Identifier[] | undefined)?.[0] : undefined;
  if (!identifier?.system || !identifier.value) throw new AppError('INTERNAL', `A ${resource.resourceType} to publish needs an identifier`);
  return identifierQuery({ system: identifier.system, value: identifier.value });
}

/**
 * Publishes one resource of an outbox message and answers the EHR's `Type/id`. Everything is a
 * conditional create, but for a revision's Observation and DiagnosticReport: those replace (PUT) the
 * copies the result's publication created, under the EHR's ids. One the EHR was never sent is
 * created; one it holds under an id we do not know is found by its identifier, then replaced.
 */
export async function publishResource(server: PublishingServer, resource: fhir4.FhirResource, remote: Readonly<Record<string, string>>, kind: OutboxKind): Promise<string> {
  const type = resource.resourceType;
  const revise = kind === 'revision' && (type === 'Observation' || type === 'DiagnosticReport');
  const known = remote[`${type}/${resource.id}`];
  let id = revise && known?.startsWith(`${type}/`) ? known.slice(type.length + 1) : undefined;
  if (id === undefined) {
    const body = asSentToEhr(resource, remote);
    const answer = await server.conditionalCreate(body, ifNoneExistFor(body, remote));
    if (!answer.id) throw new AppError('UPSTREAM.INVALID_RESPONSE', `The EHR did not return the id of the ${type}`);
    if (!revise || answer.created) return `${type}/${answer.id}`;
    id = answer.id;
  }
  const updated = await server.update({ ...asSentToEhr(resource, remote, id), id });
  return `${type}/${updated.id ?? id}`;
}
