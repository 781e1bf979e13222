import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet). The CSP is what the dashboard needs and no more: its own scripts,
 * styles and images, GraphQL over fetch and graphql-ws on the same origin (and the public base
 * URL's origin, which the image URLs use), the OpenID issuer's origin (the sign-in's token and
 * refresh requests), no inline script or style, no framing, no plugins.
 * `upgrade-insecure-requests` is left out: the embedded service is plain HTTP on loopback.
 */
export function securityHeaders(publicBaseUrl: string, issuer?: string): RequestHandler {
  const publicOrigin = new URL(publicBaseUrl).origin;
  const issuerOrigins = issuer ? [new URL(issuer).origin] : [];
  const publicSocket = publicOrigin.replace(/^http/, 'ws');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        // blob: the browser apps fetch patient images with the access token and show them from object URLs.
        'img-src': ["'self'", 'data:', 'blob:', publicOrigin],
        'connect-src': ["'self'", publicOrigin, publicSocket, ...issuerOrigins],
        'font-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/**
 * `Cache-Control: no-store` on everything but the dashboard's static files: FHIR resources,
 * searches, images, GraphQL and the timeline are patient data, never to be kept by a browser or
 * a shared cache. Handlers may not loosen it (the image routes used to say max-age=86400).
 */
export function noStore(request: Request, response: Response, next: NextFunction): void {
  if (!request.path.startsWith('/dashboard')) response.setHeader('Cache-Control', 'no-store');
  next();
}
