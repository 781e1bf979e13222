import { randomUUID } from 'node:crypto';
import { expectValidR4 } from '@brixia/fhir/testing';
import { loadConfig } from '../apps/api/src/config';
import { DEMO_SYSTEM_CLIENT_ID } from '../apps/api/src/dev-issuer/dev-issuer';
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
  /** The AuditEvents of one WebSocket connection (its upgrade's X-Request-ID names them all). */
  const eventsOf = async (requestId: string): Promise<fhir4.AuditEvent[]> => {
    const rows: Array<{ resource: fhir4.AuditEvent }> = await service.runtime.database.dataSource.query(`SELECT resource FROM audit_event WHERE request_id = $1 ORDER BY recorded, id`, [requestId]);
    return rows.map((row) => row.resource);
  };
  /** Polls until the connection has `count` events, then returns them (asserting there are exactly `count`). */
  const audited = async (requestId: string, count: number): Promise<fhir4.AuditEvent[]> => {
    await until(`${count} AuditEvents of ${requestId}`, async () => (await eventsOf(requestId)).length >= count);
    const events = await eventsOf(requestId);
    expect(events).toHaveLength(count);
    for (const event of events) expectValidR4(event);
    return events;
  };
  const patientsOf = (event: fhir4.AuditEvent): string[] => (event.entity ?? []).filter((e) => e.role?.code === '1').map((e) => String(e.what?.reference));
  const entitiesOf = (event: fhir4.AuditEvent): string[] => (event.entity ?? []).filter((e) => e.role?.code === '4').map((e) => String(e.what?.reference));
  /** Subscribes and resolves with what the server answered first: data, errors, a close or completion. */
  const firstAnswer = (client: Awaited<ReturnType<typeof graphqlWsClient>>, query: string): Promise<unknown> =>
    new Promise((resolve) => client.subscribe({ query }, { next: (value) => resolve(value), error: (error) => resolve(error), complete: () => resolve('complete') }));

  it('audits every subscription start once, with the client, the user, the source address and the patient followed', async () => {
    const requestId = `ws-${randomUUID()}`;
    const client = await graphqlWsClient(service, { requestId });
    try {
      await noSubscriptions();
      const ignore = { next: () => undefined, error: () => undefined, complete: () => undefined };
      client.subscribe({ query: `subscription { assessmentCompleted(patientId: "ws-audit-0") { patientId } }` }, ignore);
      await listening(1);
      client.subscribe({ query: `subscription { alertRaised { patientId } }` }, ignore);
      await listening(2);
      const events = await audited(requestId, 2);
      const completed = events.find((event) => event.outcomeDesc?.includes('assessmentCompleted')) as fhir4.AuditEvent;
      const alerts = events.find((event) => event.outcomeDesc?.includes('alertRaised')) as fhir4.AuditEvent;
      for (const event of [completed, alerts]) {
        expect(event).toMatchObject({ action: 'E', outcome: '0', subtype: [{ code: 'operation' }] });
        expect(event.agent[0].who?.identifier?.value).toBe(DEMO_SYSTEM_CLIENT_ID);
        expect(event.agent[0].network?.address).toMatch(/127\.0\.0\.1/);
        expect(event.agent[1].who?.reference).toBe('Practitioner/dr-rossi');
        expect(event.entity?.some((entity) => entity.role?.code === '24' && entity.query)).toBe(true);
      }
      expect(completed.outcomeDesc).toContain('graphql-ws subscribe assessmentCompleted');
      expect(patientsOf(completed)).toEqual(['Patient/ws-audit-0']);
      // No patient filter: the subscription follows every patient, and names none.
      expect(alerts.outcomeDesc).toContain('graphql-ws subscribe alertRaised');
      expect(patientsOf(alerts)).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('audits refusals as failures: an invalid token at connection (401), scopes that do not grant it (403), another patient (404)', async () => {
    const refusedConnection = `ws-${randomUUID()}`;
    const invalid = await graphqlWsClient(service, { requestId: refusedConnection, token: 'not-a-token', lazy: true });
    try {
      expect(((await firstAnswer(invalid, `subscription { alertRaised { patientId } }`)) as { code?: number }).code).toBe(4403);
    } finally {
      await invalid.dispose();
    }
    const [connection] = await audited(refusedConnection, 1);
    expect(connection).toMatchObject({ outcome: '4', outcomeDesc: expect.stringContaining('HTTP 401: graphql-ws connection_init') });
    expect(connection.agent[0].who).toBeUndefined();
    expect(connection.agent[0].network?.address).toBeTruthy();

    const refusedScope = `ws-${randomUUID()}`;
    const deviceReader = await graphqlWsClient(service, { requestId: refusedScope, token: await service.tokenFor({ scope: 'system/Device.rs', fhirUser: null }) });
    try {
      expect(await firstAnswer(deviceReader, `subscription { alertRaised(patientId: "ws-audit-1") { patientId } }`)).toMatchObject({ errors: [expect.anything()] });
    } finally {
      await deviceReader.dispose();
    }
    const [scope] = await audited(refusedScope, 1);
    expect(scope).toMatchObject({ outcome: '4', outcomeDesc: expect.stringContaining('HTTP 403: graphql-ws subscribe alertRaised') });
    expect(scope.agent[0].who?.identifier?.value).toBe(DEMO_SYSTEM_CLIENT_ID);
    expect(patientsOf(scope)).toEqual(['Patient/ws-audit-1']);

    const refusedPatient = `ws-${randomUUID()}`;
    const patientApp = await graphqlWsClient(service, { requestId: refusedPatient, token: await service.tokenFor({ scope: 'patient/*.rs', patient: 'ws-audit-2' }) });
    try {
      expect(await firstAnswer(patientApp, `subscription { occlusionProgress(taskId: "ws-no-such-task") { done } }`)).toMatchObject({ errors: [expect.anything()] });
    } finally {
      await patientApp.dispose();
    }
    const [patient] = await audited(refusedPatient, 1);
    expect(patient).toMatchObject({ outcome: '4', outcomeDesc: expect.stringContaining('HTTP 404: graphql-ws subscribe occlusionProgress') });
    expect(entitiesOf(patient)).toEqual(['Task/ws-no-such-task']);
  });
});
