import { silentLogger, systemClock } from '@brixia/common';
import { buildBrixiaObservation, observationIdentifier } from '@brixia/fhir';
import { sampleFhirConfig, sampleModel } from '@brixia/fhir/testing';
import { MIGRATIONS } from '@brixia/migrations';
import { createStores, openDatabase, OutboxStore, type Database, type MonitoringStore, type ScoringStore } from '@brixia/persistence';
import { createTestDatabase } from '@brixia/persistence/testing';
import { zonesFor } from './analytics.spec-helper';
import { MonitoringEvents, type MonitoringEvent } from './monitoring-events';
import { DEFAULT_MONITORING_RULES } from './monitoring-rules';
import { MonitoringService } from './monitoring.service';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 1, 8);

const modes: Array<[string, () => Promise<string | undefined>]> = [
  ['PostgreSQL', () => createTestDatabase('monitoring_service')],
  ['embedded PGlite', async () => undefined],
];

describe.each(modes)('MonitoringService on %s', (_mode, makeUrl) => {
  let database: Database;
  let store: MonitoringStore;
  let scoring: ScoringStore;
  let service: MonitoringService;
  const events = new MonitoringEvents();
  const seen: MonitoringEvent[] = [];

  /** Stores an AI result and its Observation, as scoring does (without a task). */
  async function addResult(patientId: string, day: number, global: number): Promise<string> {
    const id = `obs-${patientId}-${day}`;
    const identifier = observationIdentifier(sampleFhirConfig, { patientId, studyInstanceUid: `1.2.${day}`, sopInstanceUid: `1.2.${day}.1`, modelVersion: '0.1.0' });
    const acquiredAt = new Date(T0 + day * DAY);
    const zones = zonesFor(global);
    const probabilities = Object.fromEntries(Object.entries(zones).map(([zone, score]) => [zone, [0, 1, 2, 3].map((k) => (k === score ? 0.7 : 0.1))])) as never;
    await store.importResults([
      {
        id, taskId: null, patientId, imagingStudyId: null, identifierSystem: identifier.system ?? '', identifierValue: `${patientId}-${identifier.value}`,
        acquiredAt, issuedAt: acquiredAt, globalScore: global, zoneScores: zones, probabilities, modelVersion: '0.1.0', modelSha256: sampleModel.sha256,
        method: 'bsnet-automated', status: 'preliminary',
      },
    ]);
    await scoring.saveResource(
      buildBrixiaObservation(sampleFhirConfig, {
        id, scoring: { zones, global, probabilities }, model: sampleModel, patientId, imagingStudy: { studyInstanceUid: `1.2.${day}` }, identifier,
        effectiveDateTime: acquiredAt.toISOString(), issued: acquiredAt.toISOString(), status: 'preliminary', method: 'bsnet-automated',
      }),
    );
    return id;
  }

  beforeAll(async () => {
    database = await openDatabase({ url: await makeUrl(), embeddedDataDir: 'memory://', migrations: MIGRATIONS });
    ({ monitoring: store, scoring } = createStores(database.dataSource, { enqueueScoring: async () => undefined, wake: () => undefined }));
    service = new MonitoringService({ store, fhir: sampleFhirConfig, clock: systemClock, rules: DEFAULT_MONITORING_RULES, events, logger: silentLogger, model: sampleModel });
    events.subscribe((event) => seen.push(event));
    // worsening with a rise of 6 from admission; stable low; improving from high
    for (const [day, global] of [[0, 2], [2, 5], [4, 8]] as const) await addResult('worse', day, global);
    for (const [day, global] of [[0, 3], [1, 3]] as const) await addResult('calm', day, global);
    for (const [day, global] of [[0, 14], [3, 9]] as const) await addResult('better', day, global);
    expect(await service.refreshStale()).toBe(3);
  });

  afterAll(async () => {
    await database?.close();
  });

  it('lists patients by latest score with trend and alert state, filtered and paged by cursor', async () => {
    const all = await service.listPatients({ first: 10 });
    expect(all.rows.map((row) => [row.patientId, row.latestGlobal, row.trend, row.activeAlertCount])).toEqual([
      ['better', 9, 'improving', 1],
      ['worse', 8, 'worsening', 2],
      ['calm', 3, 'stable', 0],
    ]);
    const first = await service.listPatients({ first: 2 });
    expect(first.hasNextPage).toBe(true);
    const second = await service.listPatients({ first: 2, after: first.endCursor ?? '' });
    expect(second.rows.map((row) => row.patientId)).toEqual(['calm']);
    expect(second.hasNextPage).toBe(false);
    expect((await service.listPatients({ first: 10, filter: { trends: ['worsening'] } })).rows.map((r) => r.patientId)).toEqual(['worse']);
    expect((await service.listPatients({ first: 10, filter: { hasActiveAlerts: false } })).rows.map((r) => r.patientId)).toEqual(['calm']);
    expect((await service.listPatients({ first: 10, filter: { minLatestScore: 9 } })).rows.map((r) => r.patientId)).toEqual(['better']);
    await expect(service.listPatients({ first: 10, after: 'nonsense' })).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
  });

  it('reviews with optimistic concurrency: one of two reviewers of the same version wins', async () => {
    const id = 'obs-calm-1';
    const outcomes = await Promise.allSettled([
      service.review({ observationId: id, action: 'override', zones: { A: 3, B: 3, C: 3, D: 0, E: 0, F: 0 }, expectedVersion: 1, practitionerId: 'dr-a' }),
      service.review({ observationId: id, action: 'confirm', expectedVersion: 1, practitionerId: 'dr-b' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'RESOURCE.VERSION_CONFLICT' });
    const again = service.review({ observationId: id, action: 'confirm', practitionerId: 'dr-c' });
    await expect(again).rejects.toMatchObject({ code: 'RESOURCE.VERSION_CONFLICT' });
    const stored = await scoring.findResource('Observation', id);
    expect(stored?.versionId).toBe(2);
    expect(seen.some((event) => event.type === 'result-reviewed' && event.observationId === id)).toBe(true);
  });

  it('queues a review for the EHR its result was published to, in the review transaction', async () => {
    const outbox = new OutboxStore(database.dataSource);
    const id = 'obs-worse-0';
    await database.dataSource.query(
      `INSERT INTO outbox_message (id, result_id, task_id, kind, destination, payload, state, attempts) VALUES ($1, $2, NULL, 'result', $3, $4, 'delivered', 1)`,
      ['outbox-worse-0', id, 'https://ehr.example.org/fhir', JSON.stringify({ resources: [] })],
    );
    const outcomes = await Promise.allSettled([
      service.review({ observationId: id, action: 'override', zones: zonesFor(6), practitionerId: 'dr-a' }),
      service.review({ observationId: id, action: 'confirm', practitionerId: 'dr-b' }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    // The losing review rolled back with its outbox message: one revision for one stored review.
    const revisions = (await outbox.listByResult(id)).filter((message) => message.kind === 'revision');
    expect(revisions.map((m) => [m.destination, m.state, m.payload.resultVersion, m.payload.resources.map((r) => r.resourceType)])).toEqual([
      ['https://ehr.example.org/fhir', 'pending', 2, ['Observation', 'Provenance']],
    ]);
    expect((await outbox.findByResult(id))?.id).toBe('outbox-worse-0');
    // A result that was never published is not published by its review either.
    await service.review({ observationId: 'obs-worse-2', action: 'confirm', practitionerId: 'dr-a' });
    expect(await outbox.listByResult('obs-worse-2')).toEqual([]);
  });

  it('shows both the AI value and the clinician override on the timeline, and refreshes the projection', async () => {
    const result = await service.review({ observationId: 'obs-better-3', action: 'override', zones: zonesFor(15), practitionerId: 'dr-a' });
    expect(result).toMatchObject({ versionId: 2, observation: { status: 'amended', valueInteger: 15 } });
    const { timeline, trend } = await service.monitorPatient('better');
    const last = timeline.points[timeline.points.length - 1];
    expect(last).toMatchObject({ origin: 'clinician-override', global: 15, aiGlobal: 9, versionId: 2 });
    expect(trend.trend).toBe('stable');
    const [summary] = (await service.summaries(['better'])).values();
    expect(summary.latestGlobal).toBe(15);
  });

  it('publishes completion and the alerts a new result raises', async () => {
    await service.resultRecorded(await addResult('fresh', 0, 2), null);
    expect(seen.filter((e) => e.type === 'alert-raised')).toHaveLength(0);
    const id = await addResult('fresh', 3, 9);
    const raised = await service.resultRecorded(id, null);
    expect(raised.map((a) => a.ruleId).sort()).toEqual(['rise-from-admission', 'score-8-or-more']);
    expect(seen.filter((e) => e.type === 'alert-raised').length).toBe(2);
    expect(seen.some((e) => e.type === 'assessment-completed' && e.observationId === id)).toBe(true);
  });

  it('answers $lastn for the Brixia code, newest first, and nothing for another code', async () => {
    const bundle = await service.lastn({ patient: 'Patient/worse', code: `${sampleFhirConfig.canonicalBase}/CodeSystem/brixia-score|global`, max: '2' }, 'http://x/fhir/Observation/$lastn');
    expect(bundle.entry?.map((e) => (e.resource as fhir4.Observation).valueInteger)).toEqual([8, 5]);
    expect((await service.lastn({ patient: 'worse', code: 'http://loinc.org|1234-5' }, 'http://x')).total).toBe(0);
    await expect(service.lastn({}, 'http://x')).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
  });
});
