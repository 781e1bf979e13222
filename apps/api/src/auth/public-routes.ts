/**
 * The only routes served without a token: liveness/readiness, Prometheus metrics, the FHIR CapabilityStatement, SMART
 * discovery, the front door, the API description (OpenAPI document and its console: no patient data),
 * and the dashboard's static assets (its login runs in the browser against the issuer). The GraphQL
 * explorer's page and assets are answered before authentication (front-door/graphql-explorer.ts):
 * static files; the page signs in through the issuer (the dashboard's auth module) and every query it
 * sends carries the signed-in user's token.
 * Everything else needs a valid token, including routes that do not exist (no route discovery).
 */
const PUBLIC_GET_PATHS: readonly RegExp[] = [
  /^\/$/,
  /^\/api\/docs(?:-json|-yaml|(?:\/[A-Za-z0-9\-_]+(?:\.[A-Za-z0-9\-_]+)*)*)\/?$/,
  /^\/health(?:\/[A-Za-z0-9\-_]+)*\/?$/,
  // Prometheus convention: the scrape carries no user token; counts and timings only, no PHI. BRIXIA_METRICS_TOKEN
  // makes the handler itself want its own bearer (operations/metrics-access.ts), BRIXIA_METRICS=off removes it.
  /^\/metrics\/?$/,
  /^\/fhir\/metadata\/?$/,
  /^\/fhir\/\.well-known\/smart-configuration\/?$/,
  /^\/dashboard\/?$/,
  /^\/dashboard\/(?:vendor\/)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:js|css|html)$/,
];

export function isPublicRoute(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && PUBLIC_GET_PATHS.some((pattern) => pattern.test(path));
}
