import { randomUUID } from 'node:crypto';
import type { FhirConfig } from '@brixia/fhir';
import type { ImagingStudyEntity, NewOutboxMessage } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';

/** Identifier systems for resources that have no natural identifier, so conditional create can find them. */
function identifierSystem(fhir: FhirConfig, kind: string): string {
  return `${fhir.canonicalBase.replace(/\/+$/, '')}/identifiers/${kind}`;
}

/**
 * The outbox message publishing a result back to the EHR its study came from (meta.source of our copy),
 * or undefined for studies that did not come from an EHR. Resources are in dependency order (Device,
 * Observation, DiagnosticReport, Provenance) and carry identifiers for `If-None-Exist`; the study
 * reference is mapped to the EHR's own ImagingStudy up front.
 */
export function publicationFor(context: ScoringContext, taskId: string, study: ImagingStudyEntity | null, resources: readonly fhir4.FhirResource[], resultId: string): NewOutboxMessage | undefined {
  const source = study?.source === 'external' ? study.resource.meta?.source : undefined;
  if (!source || !context.external) return undefined;
  const located = context.external.ehr.serverFor(source);
  const withIdentifiers = resources.map((resource) => {
    if (resource.resourceType === 'Device' || resource.resourceType === 'DiagnosticReport') {
      const system = identifierSystem(context.fhir, resource.resourceType === 'Device' ? 'model-device' : 'diagnostic-report');
      const existing = (resource.identifier ?? []).filter((identifier) => identifier.system !== system);
      return { ...resource, identifier: [...existing, { system, value: resource.id ?? '' }] } as fhir4.FhirResource;
    }
    return resource;
  });
  return {
    id: randomUUID(),
    resultId,
    taskId,
    destination: located.server.baseUrl,
    payload: { resources: withIdentifiers, initialRemoteIds: { [`ImagingStudy/${study?.id}`]: located.relativePath } },
  };
}
