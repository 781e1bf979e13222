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
  const dashboard = `${config.publicBaseUrl}/dashboard/`;
  const loopbackAlias = dashboard.replace('//localhost:', '//127.0.0.1:');
  const issuer = await startDevIssuer({
    port: config.auth.devIssuer.port,
    keys,
    audiences: [config.auth.audience],
    dashboardRedirectUris: [...new Set([dashboard, loopbackAlias, dashboard.replace('//127.0.0.1:', '//localhost:')])],
    logger,
  });
  await writeDevIssuerState(config.auth.devIssuer.dir, { issuer: issuer.url, audience: config.auth.audience, systemClientId: DEMO_SYSTEM_CLIENT_ID });
  return { config: { ...config, auth: { ...config.auth, issuer: issuer.url } }, issuer };
}
