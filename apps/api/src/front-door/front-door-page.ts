/** The service's entry points, relative to its public base URL (printed at start-up, linked from `/`). */
export const ENTRY_POINTS = [
  { path: '/dashboard/', name: 'Dashboard', what: 'patient list, score timelines, study view with explanation overlays, clinician review' },
  { path: '/api/docs', name: 'API docs', what: 'OpenAPI 3 description of /api/v1 with an interactive console (JSON at /api/docs-json)' },
  { path: '/graphql', name: 'GraphQL explorer', what: 'GraphiQL on the monitoring schema (patients, timelines, assessments, reviews)' },
  { path: '/fhir/metadata', name: 'FHIR CapabilityStatement', what: 'what the FHIR R4 REST API supports' },
  { path: '/health', name: 'Health', what: 'model version and hash, execution provider, database mode' },
] as const;

export interface FrontDoorFacts {
  readonly publicBaseUrl: string;
  readonly modelVersion: string;
  readonly modelSha256: string;
  readonly role: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML of `GET /`: static text plus the model identity; no script, so any CSP serves it. */
export function frontDoorPage(facts: FrontDoorFacts): string {
  const base = facts.publicBaseUrl.replace(/\/$/, '');
  const links = ENTRY_POINTS.map((e) => `<li><a href="${escapeHtml(base + e.path)}">${escapeHtml(e.name)}</a> — ${escapeHtml(e.what)}</li>`).join('\n      ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Brixia FHIR — BS-Net severity scoring of chest radiographs</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1b1f24; }
      .intended-use { border-left: 4px solid #b35900; background: #fff4e5; padding: 0.75rem 1rem; }
      code { background: #f0f2f4; padding: 0 0.25rem; }
    </style>
  </head>
  <body>
    <h1>Brixia FHIR</h1>
    <p>A FHIR R4 service that scores COVID-19 pneumonia severity on frontal chest radiographs with BS-Net
      (Signoroni et al., Medical Image Analysis 2021): six lung zones A–F scored 0–3, the Brixia score 0–18,
      published as AI-generated FHIR Observations with Task, DiagnosticReport, Device and Provenance, and kept
      as per-patient timelines for serial monitoring.</p>
    <p class="intended-use" id="intended-use"><strong>Intended use: research only — not for diagnosis or clinical
      decision making.</strong> Every result is labelled AI-generated (<code>AIAST</code>), names the model that
      produced it and stays preliminary until a clinician reviews it.</p>
    <p>Model: BS-Net <span id="model-version">${escapeHtml(facts.modelVersion)}</span>
      (ONNX SHA-256 <code>${escapeHtml(facts.modelSha256.slice(0, 16))}…</code>); process role <code>${escapeHtml(facts.role)}</code>.</p>
    <ul id="entry-points">
      ${links}
    </ul>
    <p>FHIR base: <code>${escapeHtml(base)}/fhir</code>. This build has no end-user authentication yet: serve it
      only on a trusted network (see the README's known limitations).</p>
  </body>
</html>
`;
}

/** One line per entry point for the start-up log, so a newcomer sees where to go. */
export function entryPointUrls(publicBaseUrl: string): Record<string, string> {
  const base = publicBaseUrl.replace(/\/$/, '');
  return Object.fromEntries(ENTRY_POINTS.map((e) => [e.name, base + e.path]));
}
