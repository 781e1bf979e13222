import { z } from 'zod';
import type { RetryPolicy } from '@brixia/common';

const optionalUrl = z.preprocess((value) => (value === '' ? undefined : value), z.string().url().optional());
const urlList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.string().url()));
const optionalText = z.preprocess((value) => (value === '' ? undefined : value), z.string().optional());

/**
 * Environment of the EHR/PACS integration, spread into the one config schema of config.ts.
 * BRIXIA_EHR_*: the FHIR server studies come from and results go back to; BRIXIA_PACS_*: DICOMweb;
 * BRIXIA_OUTBOX_*: publishing back.
 */
export const INTEGRATION_ENV = {
  BRIXIA_EHR_BASE_URL: optionalUrl,
  BRIXIA_EHR_AUTH: z.enum(['none', 'bearer', 'smart-backend']).default('none'),
  BRIXIA_EHR_TOKEN: optionalText,
  BRIXIA_EHR_SMART_TOKEN_URL: optionalUrl,
  BRIXIA_EHR_SMART_CLIENT_ID: optionalText,
  BRIXIA_EHR_SMART_KEY_FILE: optionalText,
  BRIXIA_EHR_SMART_ALG: z.enum(['RS384', 'ES384']).default('RS384'),
  BRIXIA_EHR_SMART_KID: optionalText,
  BRIXIA_EHR_SMART_SCOPE: z.string().default('system/ImagingStudy.read system/Patient.read system/Endpoint.read system/Observation.write system/DiagnosticReport.write system/Device.write system/Provenance.write'),
  BRIXIA_EHR_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  BRIXIA_EHR_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  BRIXIA_PACS_WADO_RS_URL: optionalUrl,
  BRIXIA_PACS_ALLOWED_BASE_URLS: urlList,
  BRIXIA_PACS_TOKEN: optionalText,
  BRIXIA_PACS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  BRIXIA_PACS_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(128 * 1024 * 1024),
  BRIXIA_OUTBOX_RETRY_HOURS: z.coerce.number().min(0.001).max(24 * 30).default(48),
  BRIXIA_OUTBOX_BASE_DELAY_S: z.coerce.number().min(0.05).max(3600).default(5),
  BRIXIA_OUTBOX_MAX_DELAY_S: z.coerce.number().min(0.1).max(86_400).default(1800),
  BRIXIA_OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  BRIXIA_EHR_SUBSCRIBER_BASE_URLS: urlList,
  BRIXIA_EHR_NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  BRIXIA_EHR_NOTIFY_BASE_DELAY_S: z.coerce.number().min(0.05).max(3600).default(2),
  BRIXIA_EHR_NOTIFY_MAX_DELAY_S: z.coerce.number().min(0.1).max(86_400).default(600),
} as const;

type IntegrationEnv = z.infer<z.ZodObject<typeof INTEGRATION_ENV>>;

interface UpstreamLimitsConfig {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/** The integration section of AppConfig. */
export interface IntegrationConfig {
  readonly ehr?: {
    readonly baseUrl: string;
    readonly auth: 'none' | 'bearer' | 'smart-backend';
    readonly token?: string;
    readonly smart: { readonly tokenUrl?: string; readonly clientId?: string; readonly keyFile?: string; readonly algorithm: 'RS384' | 'ES384'; readonly keyId?: string; readonly scope: string };
    readonly limits: UpstreamLimitsConfig;
  };
  readonly pacs: { readonly defaultWadoRsUrl?: string; readonly allowedBaseUrls: readonly string[]; readonly token?: string; readonly limits: UpstreamLimitsConfig };
  readonly outbox: RetryPolicy & { readonly pollMs: number };
  /** Subscriptions are enabled when at least one subscriber base URL is allowed. */
  readonly subscriptions: RetryPolicy & { readonly allowedBaseUrls: readonly string[] };
}

/** The integration section of AppConfig; cross-field rules are checked here (fail fast). */
export function integrationConfig(c: IntegrationEnv, fail: (message: string) => never): IntegrationConfig {
  if (c.BRIXIA_EHR_AUTH === 'bearer' && !c.BRIXIA_EHR_TOKEN) fail('BRIXIA_EHR_TOKEN is required with BRIXIA_EHR_AUTH=bearer');
  if (c.BRIXIA_EHR_AUTH === 'smart-backend' && (!c.BRIXIA_EHR_SMART_TOKEN_URL || !c.BRIXIA_EHR_SMART_CLIENT_ID || !c.BRIXIA_EHR_SMART_KEY_FILE)) {
    fail('BRIXIA_EHR_SMART_TOKEN_URL, BRIXIA_EHR_SMART_CLIENT_ID and BRIXIA_EHR_SMART_KEY_FILE are required with BRIXIA_EHR_AUTH=smart-backend');
  }
  const pacsAllowed = [...new Set([...(c.BRIXIA_PACS_WADO_RS_URL ? [c.BRIXIA_PACS_WADO_RS_URL] : []), ...c.BRIXIA_PACS_ALLOWED_BASE_URLS])];
  return {
    ehr: c.BRIXIA_EHR_BASE_URL
      ? {
          baseUrl: c.BRIXIA_EHR_BASE_URL.replace(/\/+$/, ''),
          auth: c.BRIXIA_EHR_AUTH,
          token: c.BRIXIA_EHR_TOKEN,
          smart: { tokenUrl: c.BRIXIA_EHR_SMART_TOKEN_URL, clientId: c.BRIXIA_EHR_SMART_CLIENT_ID, keyFile: c.BRIXIA_EHR_SMART_KEY_FILE, algorithm: c.BRIXIA_EHR_SMART_ALG, keyId: c.BRIXIA_EHR_SMART_KID, scope: c.BRIXIA_EHR_SMART_SCOPE },
          limits: { timeoutMs: c.BRIXIA_EHR_TIMEOUT_MS, maxResponseBytes: c.BRIXIA_EHR_MAX_RESPONSE_BYTES },
        }
      : undefined,
    pacs: {
      defaultWadoRsUrl: c.BRIXIA_PACS_WADO_RS_URL?.replace(/\/+$/, ''),
      allowedBaseUrls: pacsAllowed,
      token: c.BRIXIA_PACS_TOKEN,
      limits: { timeoutMs: c.BRIXIA_PACS_TIMEOUT_MS, maxResponseBytes: c.BRIXIA_PACS_MAX_RESPONSE_BYTES },
    },
    // Bounded by time (a message waits out an EHR outage), not by a number of tries.
    outbox: {
      maxAttempts: Infinity,
      retryPeriodMs: c.BRIXIA_OUTBOX_RETRY_HOURS * 3_600_000,
      baseDelayMs: c.BRIXIA_OUTBOX_BASE_DELAY_S * 1000,
      maxDelayMs: c.BRIXIA_OUTBOX_MAX_DELAY_S * 1000,
      pollMs: c.BRIXIA_OUTBOX_POLL_MS,
    },
    subscriptions: {
      allowedBaseUrls: c.BRIXIA_EHR_SUBSCRIBER_BASE_URLS,
      maxAttempts: c.BRIXIA_EHR_NOTIFY_MAX_ATTEMPTS,
      retryPeriodMs: Infinity,
      baseDelayMs: c.BRIXIA_EHR_NOTIFY_BASE_DELAY_S * 1000,
      maxDelayMs: c.BRIXIA_EHR_NOTIFY_MAX_DELAY_S * 1000,
    },
  };
}
