import type { DataSource } from 'typeorm';
import { FhirResourceStore } from './fhir-resource-store.repository';
import type { JobQueue } from './job-queue.adapter';
import { MonitoringStore } from './monitoring-store.repository';
import { ResourceHistoryStore } from './resource-history.repository';
import { ResourceSearchStore } from './resource-search.repository';
import { ScoringStore } from './scoring-store.repository';
import { SubscriptionStore } from './subscription-store.repository';

/** The stores over one database, each built once and handed its collaborators. */
export interface Stores {
  readonly resources: FhirResourceStore;
  readonly searches: ResourceSearchStore;
  readonly versions: ResourceHistoryStore;
  readonly subscriptions: SubscriptionStore;
  readonly scoring: ScoringStore;
  readonly monitoring: MonitoringStore;
}

/**
 * Builds the stores that work together (a result's or a review's transaction also writes its FHIR
 * resources and topic events): the collaborators are injected by constructor, so no store builds
 * another inside its transaction and a test can hand any of them a stand-in.
 */
export function createStores(dataSource: DataSource, queue: Pick<JobQueue, 'enqueueScoring' | 'wake'>): Stores {
  const resources = new FhirResourceStore(dataSource);
  const searches = new ResourceSearchStore(dataSource);
  const versions = new ResourceHistoryStore(dataSource);
  const subscriptions = new SubscriptionStore(dataSource);
  return {
    resources,
    searches,
    versions,
    subscriptions,
    scoring: new ScoringStore(dataSource, queue, { resources, subscriptions, searches, versions }),
    monitoring: new MonitoringStore(dataSource, { resources, subscriptions }),
  };
}
