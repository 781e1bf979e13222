import { loadConfig } from '../apps/api/src/config';
import { createRuntime } from '../apps/api/src/runtime';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, type TestService } from './support/service';
import { seedResults } from './support/monitoring-seed';
import { graphqlWsClient, until } from './support/graphql';

/** GraphQL subscriptions over graphql-ws: events of this process, and of another one relayed by PostgreSQL NOTIFY. */
describe('GraphQL subscriptions (PostgreSQL)', () => {
  let service: TestService;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('graphql_subscriptions');
    service = await startService({ DATABASE_URL: databaseUrl });
    idleListeners = service.runtime.monitoring.service.events.listenerCount;
  });

  afterAll(async () => {
    await service?.close();
  });

  /** Listeners of this service's monitoring events with no GraphQL subscription open (set in beforeAll). */
  let idleListeners = 0;
  /** Waits until earlier tests' subscriptions are gone (they end asynchronously after their client closes). */
  const noSubscriptions = async (): Promise<void> => {
    await until('earlier subscriptions closed', () => service.runtime.monitoring.service.events.listenerCount === idleListeners);
  };
  /**
   * Waits until `count` GraphQL subscriptions listen: a subscription registers asynchronously after
   * `subscribe`, and an event published before that would be missed, however fast the machine.
   */
  const listening = async (count: number): Promise<void> => {
    await until('subscriptions registered', () => service.runtime.monitoring.service.events.listenerCount >= idleListeners + count);
  };

  it('relays events from another process (worker role) to subscribers of this one over PostgreSQL NOTIFY', async () => {
    const worker = await createRuntime(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', BRIXIA_ROLE: 'api', DATABASE_URL: databaseUrl }));
    const client = await graphqlWsClient(service);
    try {
      const received: unknown[] = [];
      await noSubscriptions();
      client.subscribe({ query: `subscription { assessmentCompleted(patientId: "remote-0") { patientId observationId } }` }, { next: (value) => received.push(value.data), error: () => undefined, complete: () => undefined });
      await listening(1);
      const stores = { monitoring: worker.monitoring.store, scoring: worker.scoring.store };
      await seedResults(stores, { fhir: worker.config.fhir, model: worker.scoring.model.identity, patients: 1, studiesPerPatient: 1, patientPrefix: 'remote', score: () => 4 });
      await worker.monitoring.service.resultRecorded('obs-remote-0-0', null);
      await until('the relayed event', () => received.length > 0);
      expect(received).toEqual([{ assessmentCompleted: { patientId: 'remote-0', observationId: 'obs-remote-0-0' } }]);
    } finally {
      await client.dispose();
      await worker.close();
    }
  });

  it('pushes raised alerts and completed assessments over graphql-ws', async () => {
    const client = await graphqlWsClient(service);
    try {
      const received: { alerts: unknown[]; completed: unknown[] } = { alerts: [], completed: [] };
      const errors: unknown[] = [];
      await noSubscriptions();
      const subscribe = (query: string, into: unknown[]): void => {
        client.subscribe({ query }, { next: (value) => into.push(value.data), error: (error) => errors.push(error), complete: () => undefined });
      };
      subscribe(`subscription { alertRaised(patientId: "late-0") { ruleId severity observationId } }`, received.alerts);
      subscribe(`subscription { assessmentCompleted { patientId observationId global } }`, received.completed);
      await listening(2);
      expect(errors).toEqual([]);
      const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
      await seedResults(stores, { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity, patients: 1, studiesPerPatient: 1, patientPrefix: 'late', score: () => 10 });
      await service.runtime.monitoring.service.resultRecorded('obs-late-0-0', null);
      await until('the alert and the completion', () => received.alerts.length > 0 && received.completed.length > 0);
      expect(received.alerts).toEqual([{ alertRaised: { ruleId: 'score-8-or-more', severity: 'INFO', observationId: 'obs-late-0-0' } }]);
      expect(received.completed).toEqual([{ assessmentCompleted: { patientId: 'late-0', observationId: 'obs-late-0-0', global: 10 } }]);
    } finally {
      await client.dispose();
    }
  });
});
