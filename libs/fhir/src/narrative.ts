import type * as fhir4 from 'fhir/r4';
import { escapeXhtml } from './primitives';

// R4 DomainResource.text (http://hl7.org/fhir/R4/narrative.html): every resource we emit carries a
// generated narrative (dom-6), made from the resource itself at the moment it leaves, so it can never say
// something the structured data does not. Resources that are not DomainResources (Bundle, Parameters,
// Binary) have no `text`; a Bundle's entries get theirs. Builders that write a richer narrative
// (DiagnosticReport, Patient) keep it.

const NOT_DOMAIN_RESOURCES = new Set(['Bundle', 'Parameters', 'Binary']);
const SUBSETTED = 'SUBSETTED';

type Line = readonly [label: string, value: string | undefined];

function concept(value: fhir4.CodeableConcept | undefined): string | undefined {
  return value?.text ?? value?.coding?.map((coding) => coding.display ?? coding.code).filter(Boolean).join(', ');
}

function reference(value: fhir4.Reference | undefined): string | undefined {
  return value?.display ?? value?.reference ?? (value?.identifier ? `${value.identifier.value} (${value.identifier.system})` : undefined);
}

function references(values: readonly fhir4.Reference[] | undefined): string | undefined {
  const texts = (values ?? []).map(reference).filter((text): text is string => text !== undefined);
  return texts.length > 0 ? texts.join(', ') : undefined;
}

function observationValue(observation: fhir4.Observation): string | undefined {
  if (observation.valueInteger !== undefined) return String(observation.valueInteger);
  if (observation.valueQuantity?.value !== undefined) return `${observation.valueQuantity.value}${observation.valueQuantity.unit ? ` ${observation.valueQuantity.unit}` : ''}`;
  return observation.valueString ?? concept(observation.valueCodeableConcept);
}

/** The facts a reader needs first, per type; a generic line (status, identifier) for the rest. */
function linesOf(resource: fhir4.FhirResource): Line[] {
  switch (resource.resourceType) {
    case 'Observation':
      return [
        ['Code', concept(resource.code)],
        ['Value', observationValue(resource)],
        ['Components', resource.component?.map((component) => `${concept(component.code)}: ${component.valueInteger ?? component.valueQuantity?.value ?? ''}`).join('; ')],
        ['Status', resource.status],
        ['Subject', reference(resource.subject)],
        ['Effective', resource.effectiveDateTime],
        ['Device', reference(resource.device)],
      ];
    case 'Task':
      return [
        ['Code', concept(resource.code)],
        ['Status', resource.status],
        ['Business status', concept(resource.businessStatus)],
        ['Status reason', concept(resource.statusReason)],
        ['Focus', reference(resource.focus)],
        ['For', reference(resource.for)],
        ['Output', resource.output?.map((output) => reference(output.valueReference) ?? concept(output.type)).join(', ')],
      ];
    case 'Device':
      return [
        ['Name', resource.deviceName?.map((name) => name.name).join(', ')],
        ['Version', resource.version?.map((version) => `${concept(version.type) ?? 'version'} ${version.value}`).join('; ')],
        ['Type', concept(resource.type)],
        ['Safety', resource.safety?.map(concept).join('; ')],
      ];
    case 'Provenance':
      return [
        ['Target', references(resource.target)],
        ['Recorded', resource.recorded],
        ['Activity', concept(resource.activity)],
        ['Agents', resource.agent.map((agent) => `${reference(agent.who)}${agent.type ? ` (${concept(agent.type)})` : ''}`).join(', ')],
      ];
    case 'ImagingStudy':
      return [
        ['Identifier', resource.identifier?.map((identifier) => identifier.value).join(', ')],
        ['Status', resource.status],
        ['Modality', resource.modality?.map((coding) => coding.code).join(', ')],
        ['Subject', reference(resource.subject)],
        ['Started', resource.started],
        ['Series', resource.series?.map((series) => `${series.modality.code}${series.description ? ` ${series.description}` : ''}`).join('; ')],
      ];
    case 'Media':
      return [
        ['Content', resource.content.title ?? resource.content.contentType],
        ['Status', resource.status],
        ['Subject', reference(resource.subject)],
        ['Part of', references(resource.partOf)],
      ];
    case 'Subscription':
      return [
        ['Status', resource.status],
        ['Reason', resource.reason],
        ['Topic', resource.criteria],
        ['Channel', `${resource.channel.type}${resource.channel.endpoint ? ` to ${resource.channel.endpoint}` : ''}`],
        ['End', resource.end],
      ];
    case 'OperationOutcome':
      return resource.issue.map((issue, index) => [`Issue ${index + 1}`, `${issue.severity} ${issue.code}${issue.diagnostics ? `: ${issue.diagnostics}` : ''}`] as const);
    case 'AuditEvent':
      return [
        ['Type', resource.type.display ?? resource.type.code],
        ['Action', resource.action],
        ['Outcome', resource.outcome],
        ['Recorded', resource.recorded],
        ['Agents', resource.agent.map((agent) => reference(agent.who) ?? concept(agent.type)).join(', ')],
        ['Entities', resource.entity?.map((entity) => reference(entity.what)).filter(Boolean).join(', ')],
      ];
    case 'CapabilityStatement':
    case 'CodeSystem':
    case 'OperationDefinition':
      return [
        ['Title', resource.title ?? resource.name],
        ['URL', resource.url],
        ['Status', resource.status],
        ['Description', resource.description],
      ];
    default: {
      const generic = resource as { status?: string; identifier?: fhir4.Identifier[] };
      return [
        ['Status', generic.status],
        ['Identifier', generic.identifier?.map((identifier) => identifier.value).join(', ')],
      ];
    }
  }
}

/** The generated narrative of a resource: its type and id, then the facts of linesOf. */
export function generatedNarrative(resource: fhir4.FhirResource): fhir4.Narrative {
  const heading = `${resource.resourceType}${resource.id ? ` ${resource.id}` : ''}`;
  const rows = linesOf(resource)
    .filter((line): line is readonly [string, string] => line[1] !== undefined && line[1].trim() !== '')
    .map(([label, value]) => `<li>${escapeXhtml(label)}: ${escapeXhtml(value)}</li>`)
    .join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p><b>${escapeXhtml(heading)}</b></p>${rows ? `<ul>${rows}</ul>` : ''}</div>` };
}

function isSubsetted(resource: fhir4.FhirResource): boolean {
  return resource.meta?.tag?.some((tag) => tag.code === SUBSETTED) ?? false;
}

/**
 * The resource as it leaves this service: with a generated narrative unless it has one (or is a
 * `_summary`/`_elements` subset, which must not gain elements); Bundle entries each get theirs.
 * Contained resources are left alone (their container's narrative covers them, dom-6 is on the container).
 */
export function withNarrative<T extends fhir4.FhirResource>(resource: T): T {
  if (resource.resourceType === 'Bundle') {
    if (!resource.entry) return resource;
    return { ...resource, entry: resource.entry.map((entry) => (entry.resource ? { ...entry, resource: withNarrative(entry.resource as fhir4.FhirResource) } : entry)) };
  }
  if (NOT_DOMAIN_RESOURCES.has(resource.resourceType) || isSubsetted(resource)) return resource;
  const domain = resource as T & { text?: fhir4.Narrative };
  if (domain.text) return resource;
  // `text` goes right after id/meta, where R4 JSON puts it (order is not significant, but readers expect it).
  const { resourceType, id, meta, implicitRules, language, ...rest } = domain as T & { id?: string; meta?: fhir4.Meta; implicitRules?: string; language?: string };
  return {
    resourceType,
    ...(id !== undefined ? { id } : {}),
    ...(meta !== undefined ? { meta } : {}),
    ...(implicitRules !== undefined ? { implicitRules } : {}),
    ...(language !== undefined ? { language } : {}),
    text: generatedNarrative(resource),
    ...rest,
  } as unknown as T;
}
