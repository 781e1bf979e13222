import { resolve } from 'node:path';
import { z } from 'zod';

const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional());

/**
 * Environment of the resource server (docs/security.md), spread into the one config schema of config.ts.
 * BRIXIA_AUTH_ISSUER unset: `npm start` runs the development OpenID provider on loopback and uses it.
 */
export const AUTH_ENV = {
  BRIXIA_AUTH: z.enum(['on', 'off']).default('on'),
  BRIXIA_AUTH_ISSUER: optionalUrl,
  BRIXIA_AUTH_AUDIENCE: optionalUrl,
  BRIXIA_AUTH_CLOCK_SKEW_S: z.coerce.number().int().min(0).max(300).default(60),
  BRIXIA_DEV_ISSUER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  BRIXIA_DEV_ISSUER_DIR: z.string().default('data/dev-issuer'),
};

type AuthEnv = z.infer<z.ZodObject<typeof AUTH_ENV>>;

/** Loopback hosts: the only ones the off switch may be used on. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export interface AuthConfig {
  readonly mode: 'on' | 'off';
  readonly issuer?: string;
  /** Expected `aud`: the FHIR base URL (SMART's `aud` is the FHIR server's base), unless configured. */
  readonly audience: string;
  readonly clockSkewSeconds: number;
  readonly devIssuer: { readonly port: number; readonly dir: string };
}

export function authConfig(c: AuthEnv & { PORT: number; HOST: string }, fhirBaseUrl: string, fail: (message: string) => never): AuthConfig {
  if (c.BRIXIA_AUTH === 'off' && !isLoopbackHost(c.HOST)) fail(`BRIXIA_AUTH=off is refused unless HOST is a loopback address (HOST is ${c.HOST})`);
  return {
    mode: c.BRIXIA_AUTH,
    issuer: c.BRIXIA_AUTH_ISSUER?.replace(/\/$/, ''),
    audience: c.BRIXIA_AUTH_AUDIENCE ?? fhirBaseUrl,
    clockSkewSeconds: c.BRIXIA_AUTH_CLOCK_SKEW_S,
    devIssuer: { port: c.BRIXIA_DEV_ISSUER_PORT ?? (c.PORT === 0 ? 0 : c.PORT + 1), dir: resolve(c.BRIXIA_DEV_ISSUER_DIR) },
  };
}
