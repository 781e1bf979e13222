import type * as fhir4 from 'fhir/r4';
import { canonical, type FhirConfig } from './config';
import { withNarrative } from './narrative';

/** Resource types that have no natural identifier and get a publication identifier instead. */
type IdentifiedForPublication = 'Device' | 'DiagnosticReport';

const SYSTEM_SUFFIX: Readonly<Record<IdentifiedForPublication, string>> = { Device: 'model-device', DiagnosticReport: 'diagnostic-report' };

/**
 * The identifier system under which a Device or DiagnosticReport is published to an EHR, so that a
 * conditional create (`If-None-Exist: identifier=…`) finds the copy an earlier try made.
 */
export function publicationIdentifierSystem(config: FhirConfig, resourceType: IdentifiedForPublication): string {
  return `${canonical(config)}/identifiers/${SYSTEM_SUFFIX[resourceType]}`;
}

/**
 * A resource as it is published to an EHR: Device and DiagnosticReport carry the publication
 * identifier (value = our id; the same on the first publication and on every revision, so each try
 * and each review names the same EHR resource), and a DiagnosticReport loses `media`: explanation
 * images stay in this service (they are research overlays, not part of the clinical report sent out).
 * Every published resource carries a generated narrative, as everything this service emits.
 */
export function forPublication<T extends fhir4.FhirResource>(config: FhirConfig, published: T): T {
  const resource = withNarrative(published);
  if (resource.resourceType !== 'Device' && resource.resourceType !== 'DiagnosticReport') return resource;
  const system = publicationIdentifierSystem(config, resource.resourceType);
  const existing = (resource.identifier ?? []).filter((identifier) => identifier.system !== system);
  const identified = { ...resource, identifier: [...existing, { system, value: resource.id ?? '' }] };
  if (identified.resourceType !== 'DiagnosticReport') return identified as T;
  const { media: _media, ...report } = identified;
  return report as T;
}
