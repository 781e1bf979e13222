import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet). The CSP is what the dashboard needs and no more: its own scripts,
 * styles and images, GraphQL over fetch and graphql-ws on the same origin (and the public base
 * URL's origin, which the image URLs use), no inline script or style, no framing, no plugins.
 * `upgrade-insecure-requests` is left out: the embedded service is plain HTTP on loopback.
 * `signInOrigins`: where the dashboard and the GraphQL explorer fetch tokens (the issuer's token
 * endpoint, code + PKCE in the browser); the login page itself is a navigation, not a connection.
 * Fonts may be `data:` URIs: GraphiQL's stylesheet embeds its fonts that way (a font cannot run code).
 */
export function securityHeaders(publicBaseUrl: string, signInOrigins: readonly string[] = []): RequestHandler {
  const publicOrigin = new URL(publicBaseUrl).origin;
  const publicSocket = publicOrigin.replace(/^http/, 'ws');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', publicOrigin],
        'connect-src': ["'self'", publicOrigin, publicSocket, ...signInOrigins],
        'font-src': ["'self'", 'data:'],
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
