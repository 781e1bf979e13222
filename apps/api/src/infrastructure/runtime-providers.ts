import type { Provider } from '@nestjs/common';
import { OutboxStore } from '@brixia/persistence';
import type { Runtime } from '../runtime';
import { operationsEndpoints } from '../operations/operations-endpoints';
import { APP_CONFIG, AUDIT_TRAIL, DATABASE, MONITORING_SERVICE, MONITORING_STORE, OPERATIONS, OUTBOX_STORE, SCORE_MODEL, SCORING_CONTEXT, STARTED_AT } from './tokens';

/**
 * The Runtime's parts as one provider per capability token (tokens.ts). Nest registers a value
 * provider only for a defined value, so the optional model is provided as null when not loaded.
 */
export function runtimeProviders(runtime: Runtime): Provider[] {
  return [
    { provide: APP_CONFIG, useValue: runtime.config },
    { provide: SCORING_CONTEXT, useValue: runtime.scoring },
    { provide: MONITORING_SERVICE, useValue: runtime.monitoring.service },
    { provide: MONITORING_STORE, useValue: runtime.monitoring.store },
    { provide: AUDIT_TRAIL, useValue: runtime.audit },
    { provide: SCORE_MODEL, useFactory: () => runtime.model ?? null },
    { provide: OUTBOX_STORE, useFactory: () => new OutboxStore(runtime.database.dataSource) },
    { provide: DATABASE, useValue: runtime.database },
    { provide: STARTED_AT, useValue: runtime.startedAt },
    { provide: OPERATIONS, useValue: operationsEndpoints(runtime) },
  ];
}
