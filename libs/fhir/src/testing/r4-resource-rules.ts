// FHIR R4 rules that @medplum/core 4.5.2's validator does not evaluate (it skips invariants that
// need htmlChecks() or %resource.descendants()), checked here so our validator does not pass them
// silently. Texts follow the R4 DomainResource and Narrative invariants.

const FORBIDDEN_XHTML = /<\s*(script|form|input|button|select|textarea|iframe|object|embed|applet|base|link|meta|style|frame|frameset)\b/i;
const EVENT_ATTRIBUTE = /<[^>]*\son[a-z]+\s*=/i;
const DIV_ROOT = /^\s*<div\s[^>]*xmlns\s*=\s*"http:\/\/www\.w3\.org\/1999\/xhtml"[^>]*>[\s\S]*<\/div>\s*$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrative.div: an XHTML div (txt-3 is the namespace rule), basic HTML only (txt-1), some text (txt-2). */
export function checkNarrative(div: string, path: string, errors: string[]): void {
  if (!DIV_ROOT.test(div)) errors.push(`${path}: narrative must be a <div xmlns="http://www.w3.org/1999/xhtml"> element`);
  if (FORBIDDEN_XHTML.test(div) || EVENT_ATTRIBUTE.test(div)) errors.push(`${path}: narrative contains elements or attributes outside basic HTML (txt-1)`);
  if (div.replace(/<[^>]*>/g, '').trim() === '') errors.push(`${path}: narrative has no text (txt-2)`);
}

/** dom-2 … dom-5 on a resource's contained resources. */
export function checkContained(resource: Record<string, unknown>, path: string, errors: string[]): void {
  const contained = resource.contained;
  if (!Array.isArray(contained)) return;
  const { contained: _contained, ...rest } = resource;
  const elsewhere = JSON.stringify(rest);
  contained.forEach((inner: unknown, index: number) => {
    const innerPath = `${path}.contained[${index}]`;
    if (!isRecord(inner)) return;
    if (inner.contained !== undefined) errors.push(`${innerPath}: a contained resource must not contain resources (dom-2)`);
    const referenced = typeof inner.id === 'string' && elsewhere.includes(`"#${inner.id}"`);
    if (!referenced) errors.push(`${innerPath}: a contained resource must be referenced from the containing resource (dom-3)`);
    const meta = isRecord(inner.meta) ? inner.meta : undefined;
    if (meta?.versionId !== undefined || meta?.lastUpdated !== undefined) errors.push(`${innerPath}: contained meta must not have versionId or lastUpdated (dom-4)`);
    if (meta?.security !== undefined) errors.push(`${innerPath}: a contained resource must not carry security labels (dom-5)`);
  });
}
