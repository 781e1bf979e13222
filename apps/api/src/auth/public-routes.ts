/**
 * The only routes served without a token: liveness/readiness, the FHIR CapabilityStatement, SMART
 * discovery, and the dashboard's static assets (its login runs in the browser against the issuer).
 * Everything else needs a valid token, including routes that do not exist (no route discovery).
 */
const PUBLIC_GET_PATHS: readonly RegExp[] = [
  /^\/health(?:\/[A-Za-z0-9\-_]+)*\/?$/,
  /^\/fhir\/metadata\/?$/,
  /^\/fhir\/\.well-known\/smart-configuration\/?$/,
  /^\/dashboard\/?$/,
  /^\/dashboard\/[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:js|css|html)$/,
];

export function isPublicRoute(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && PUBLIC_GET_PATHS.some((pattern) => pattern.test(path));
}
