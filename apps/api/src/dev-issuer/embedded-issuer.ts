import type { Logger } from '@brixia/common';
import type { AppConfig } from '../config';
import { DEMO_SYSTEM_CLIENT_ID, startDevIssuer, type DevIssuer } from './dev-issuer';
import { loadOrCreateDevIssuerKeys, writeDevIssuerState } from './dev-issuer-keys';

/**
 * `npm start` without BRIXIA_AUTH_ISSUER: runs the development provider on loopback and returns the
 * configuration that trusts it. With an issuer configured (or auth off, or role worker) nothing starts.
 */
export async function withEmbeddedIssuer(config: AppConfig, logger: Logger): Promise<{ config: AppConfig; issuer?: DevIssuer }> {
  if (config.auth.mode === 'off' || config.auth.issuer || config.role === 'worker') return { config };
  const keys = await loadOrCreateDevIssuerKeys(config.auth.devIssuer.dir);
  // The dashboard and the GraphQL explorer (which signs in as the dashboard client), under both loopback names.
  const pages = [`${config.publicBaseUrl}/dashboard/`, `${config.publicBaseUrl}/graphql`];
  const redirects = pages.flatMap((page) => [page, page.replace('//localhost:', '//127.0.0.1:'), page.replace('//127.0.0.1:', '//localhost:')]);
  const issuer = await startDevIssuer({
    port: config.auth.devIssuer.port,
    keys,
    audiences: [config.auth.audience],
    dashboardRedirectUris: [...new Set(redirects)],
    logger,
  });
  await writeDevIssuerState(config.auth.devIssuer.dir, { issuer: issuer.url, audience: config.auth.audience, systemClientId: DEMO_SYSTEM_CLIENT_ID });
  return { config: { ...config, auth: { ...config.auth, issuer: issuer.url } }, issuer };
}
