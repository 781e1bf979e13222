import type * as fhir4 from 'fhir/r4';
import { ZONES, type Zone, type ZoneScore } from '@brixia/common';
import { AIAST_SECURITY } from './ai-transparency';
import { BRIXIA_CODES } from './brixia-code-system';
import { assertFhirId, assertInstant } from './primitives';

/** A clinician's review of an AI result, in domain terms. */
export interface BrixiaReviewChange {
  /** `final` when the AI values were confirmed, `amended` when a clinician changed them. */
  readonly status: 'final' | 'amended';
  readonly zones: Readonly<Record<Zone, ZoneScore>>;
  readonly global: number;
  /** The global score the AI asserted (kept in the note of an override). */
  readonly aiGlobal: number;
  readonly practitionerId: string;
  /** When the review was recorded (instant). */
  readonly recorded: string;
}

function reviewNote(change: BrixiaReviewChange): fhir4.Annotation {
  const text =
    change.status === 'amended'
      ? `Overridden by a clinician: Brixia ${change.global}/18 (the AI result was ${change.aiGlobal}/18)`
      : `Confirmed by a clinician: Brixia ${change.global}/18`;
  return { authorReference: { reference: `Practitioner/${assertFhirId(change.practitionerId, 'practitionerId')}` }, time: assertInstant(change.recorded, 'recorded'), text };
}

/**
 * The Observation after a clinician's review (docs/fhir-profile.md, Observation `status`): confirm → `final` with the
 * AI values; override → `amended` with the clinician's zone values. An override drops the AIAST
 * label and the per-zone AI confidence extensions, as the AI no longer asserts the values (AI
 * Transparency IG); both add a note by the Practitioner. Id and identifier stay.
 */
export function reviewBrixiaObservation(stored: fhir4.Observation, change: BrixiaReviewChange): fhir4.Observation {
  const { meta, ...rest } = stored;
  const amended = change.status === 'amended';
  const security = amended ? meta?.security?.filter((coding) => coding.code !== AIAST_SECURITY.code) : meta?.security;
  const component = (stored.component ?? []).map((part) => {
    const zone = ZONES.find((z) => part.code.coding?.some((coding) => coding.code === BRIXIA_CODES.zone(z)));
    if (!zone) return part;
    const { extension, ...plain } = part;
    return { ...plain, ...(extension && !amended ? { extension } : {}), valueInteger: change.zones[zone] };
  });
  return {
    ...rest,
    ...(security && security.length > 0 ? { meta: { security } } : {}),
    status: change.status,
    valueInteger: change.global,
    component,
    note: [...(stored.note ?? []), reviewNote(change)],
  };
}

/**
 * The DiagnosticReport after the review of its Observation: same status as the Observation, and
 * for an override a conclusion that names the clinician's score (the AI conclusion is kept after it).
 */
export function reviewDiagnosticReport(stored: fhir4.DiagnosticReport, change: BrixiaReviewChange): fhir4.DiagnosticReport {
  const { meta: _meta, ...rest } = stored;
  const zones = ZONES.map((zone) => `${zone}${change.zones[zone]}`).join(' ');
  const conclusion =
    change.status === 'amended' ? `Clinician-reviewed Brixia ${change.global}/18: ${zones} (AI result ${change.aiGlobal}/18)` : `${stored.conclusion ?? ''} — confirmed by a clinician`.trim();
  const note = `<p>${escapeXhtml(reviewNote(change).text)} (${escapeXhtml(change.recorded)}).</p>`;
  const text = stored.text ? { ...stored.text, div: stored.text.div.replace(/<\/div>\s*$/, `${note}</div>`) } : undefined;
  return { ...rest, ...(text ? { text } : {}), status: change.status, conclusion };
}

function escapeXhtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
