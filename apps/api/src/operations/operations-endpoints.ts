import type { Runtime } from '../runtime';
import { healthSummary } from './health-summary';
import type { OperationsEndpoints } from './operations-server';

/** The health, readiness and metrics endpoints of a started Runtime (API routes and the worker's port). */
export function operationsEndpoints(runtime: Runtime): OperationsEndpoints {
  return {
    metrics: runtime.metrics,
    metricsAccess: runtime.config.operations.metrics,
    readiness: () => runtime.readiness(),
    health: () => healthSummary(runtime),
  };
}
