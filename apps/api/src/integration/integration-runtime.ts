import { readFileSync } from 'node:fs';
import { AppError, type Logger } from '@brixia/common';
import { createUpstreamFetch, EhrDirectory, UrlAllowList, type EhrAuth, type EhrServerConfig, type UpstreamFetch } from '@brixia/ehr';
import { WadoRsImageSource } from '@brixia/imaging';
import { OutboxStore, SubscriptionStore, type Database } from '@brixia/persistence';
import type { ExternalImagingContext, ScoringContext, SubscriptionsContext } from '@brixia/scoring';
import type { AppConfig } from '../config';
import type { IntegrationConfig } from './integration-config';
import { startOutboxLoop } from './outbox-dispatcher';
import type { PollingLoop } from './polling-loop';
import { startSubscriptionLoop } from './subscription-dispatcher';


/** Builds the EHR directory and the PACS adapter from config; undefined when neither is configured. */
export async function createExternalImaging(config: IntegrationConfig, logger: Logger): Promise<ExternalImagingContext | undefined> {
  if (!config.ehr && config.pacs.allowedBaseUrls.length === 0) return undefined;
  const servers: EhrServerConfig[] = config.ehr ? [{ baseUrl: config.ehr.baseUrl, auth: ehrAuth(config.ehr) }] : [];
  const ehr = await EhrDirectory.create({ servers, limits: config.ehr?.limits ?? { timeoutMs: 10_000, maxResponseBytes: 4 << 20 }, logger });
  const pacsAllowList = new UrlAllowList(config.pacs.allowedBaseUrls.map((baseUrl) => ({ baseUrl, value: baseUrl })));
  const token = config.pacs.token;
  const http = createUpstreamFetch({
    allowList: pacsAllowList,
    limits: config.pacs.limits,
    what: 'PACS',
    headersFor: async (): Promise<Record<string, string>> => (token ? { authorization: `Bearer ${token}` } : {}),
  });
  logger.info({ ehr: config.ehr?.baseUrl, ehrAuth: config.ehr?.auth, pacs: config.pacs.allowedBaseUrls }, 'EHR/PACS integration configured');
  return {
    ehr,
    defaultWadoRsUrl: config.pacs.defaultWadoRsUrl,
    isAllowedPacs: (url) => pacsAllowList.match(url) !== undefined,
    imageSource: new WadoRsImageSource(http),
  };
}

function ehrAuth(ehr: NonNullable<IntegrationConfig['ehr']>): EhrAuth {
  switch (ehr.auth) {
    case 'none':
      return { kind: 'none' };
    case 'bearer':
      return { kind: 'bearer', token: ehr.token ?? '' };
    case 'smart-backend': {
      let privateKeyPem: string;
      try {
        privateKeyPem = readFileSync(ehr.smart.keyFile ?? '', 'utf8');
      } catch (error) {
        throw new AppError('CONFIG.INVALID', 'BRIXIA_EHR_SMART_KEY_FILE cannot be read', { cause: error });
      }
      return {
        kind: 'smart-backend',
        tokenUrl: ehr.smart.tokenUrl ?? '',
        clientId: ehr.smart.clientId ?? '',
        privateKeyPem,
        algorithm: ehr.smart.algorithm,
        keyId: ehr.smart.keyId,
        scope: ehr.smart.scope,
      };
    }
  }
}

/** Subscriptions context (rest-hook sender bounded like every upstream call); undefined when no subscriber base is allowed. */
export function createSubscriptions(config: IntegrationConfig, database: Database): SubscriptionsContext | undefined {
  const { subscriptions } = config;
  if (subscriptions.allowedBaseUrls.length === 0) return undefined;
  const allowList = new UrlAllowList(subscriptions.allowedBaseUrls.map((baseUrl) => ({ baseUrl, value: baseUrl })));
  const fetchers = new Map<number, UpstreamFetch>();
  const fetcherFor = (timeoutMs: number): UpstreamFetch => {
    let fetcher = fetchers.get(timeoutMs);
    if (!fetcher) {
      fetcher = createUpstreamFetch({ allowList, limits: { timeoutMs, maxResponseBytes: 64 * 1024 }, what: 'subscriber' });
      fetchers.set(timeoutMs, fetcher);
    }
    return fetcher;
  };
  return {
    store: new SubscriptionStore(database.dataSource),
    isAllowedEndpoint: (url) => allowList.match(url) !== undefined,
    send: async (endpoint, body, headers, timeoutMs) => (await fetcherFor(timeoutMs)(endpoint, { method: 'POST', body, headers })).status,
    retry: { maxAttempts: subscriptions.maxAttempts, retryPeriodMs: subscriptions.retryPeriodMs, baseDelayMs: subscriptions.baseDelayMs, maxDelayMs: subscriptions.maxDelayMs },
  };
}

/**
 * Starts the background loops where this process works jobs (roles all, worker): publishing results
 * back to the EHR (outbox) and delivering subscription notifications.
 */
export function startIntegrationLoops(config: AppConfig, scoring: ScoringContext, database: Database, logger: Logger): { stop(): Promise<void> } {
  const loops: PollingLoop[] = [];
  if (config.role !== 'api') {
    const { outbox, ehr } = config.integration;
    if (scoring.external?.ehr.isConfigured) {
      // A claim outlives the slowest delivery (4 conditional creates at the EHR timeout each).
      const leaseMs = 5 * (ehr?.limits.timeoutMs ?? 10_000);
      loops.push(startOutboxLoop(scoring.external.ehr, new OutboxStore(database.dataSource), { ...outbox, leaseMs }, logger));
    }
    if (scoring.subscriptions) loops.push(startSubscriptionLoop(scoring.subscriptions, scoring.store, scoring.fhir, outbox.pollMs, logger));
  }
  return {
    async stop(): Promise<void> {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
