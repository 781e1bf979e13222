import DataLoader from 'dataloader';
import type { Request } from 'express';
import type { MonitoringService, PatientMonitoring } from '@brixia/monitoring';
import type { PatientSummaryRecord } from '@brixia/persistence';
import type { Principal } from '@brixia/auth';
import type { SubscriptionAuditNote } from '../audit/subscription-audit';

/** Per-request batch loaders: N patients' timelines or summaries cost one query each, not N. */
export interface MonitoringLoaders {
  readonly monitoring: DataLoader<string, PatientMonitoring>;
  readonly summary: DataLoader<string, PatientSummaryRecord | null>;
}

/** GraphQL context of one request (HTTP) or one subscription connection (WebSocket). */
export interface GraphqlContext {
  readonly loaders: MonitoringLoaders;
  /** The verified principal: from the HTTP request, or from the WebSocket's connection_init. */
  readonly principal?: Principal;
  /** The HTTP request (principal, audit note); absent on WebSocket subscriptions. */
  readonly req?: Request;
  /** graphql-ws only: what the subscription follows, for its AuditEvent. */
  readonly subscriptionAudit?: SubscriptionAuditNote;
}

export function createLoaders(service: MonitoringService): MonitoringLoaders {
  return {
    monitoring: new DataLoader(async (ids: readonly string[]) => {
      const byId = await service.monitorPatients(ids);
      return ids.map((id) => byId.get(id) ?? new Error(`no series for ${id}`));
    }),
    summary: new DataLoader(async (ids: readonly string[]) => {
      const byId = await service.summaries(ids);
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
