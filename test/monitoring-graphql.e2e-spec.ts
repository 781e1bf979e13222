import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { createTestDatabase, recordQueries } from '@brixia/persistence/testing';
import { startService, type TestService } from './support/service';
import { seedResults } from './support/monitoring-seed';
import { graphqlClient } from './support/graphql';

const SCHEMA_FILE = join(__dirname, '../apps/api/schema.graphql');

interface PatientNode {
  id: string;
  latestScore: number;
  trend: string;
  alertState: string;
  timeline: { points: Array<Record<string, unknown>> };
}
interface PatientPage {
  edges: Array<{ cursor: string; node: PatientNode }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface Data {
  patients: PatientPage;
  patient: PatientNode & { timeline: { points: Array<Record<string, number | null> & { alerts: Array<{ ruleId: string }> }>; activeAlerts: unknown[] } };
  reviewAssessment: { versionId: number; status: string; provenance: { activity: { coding: Array<{ code: string }> } } };
}

/**
 * GraphQL serial monitoring on seeded results: the committed schema, the patient list (DataLoader, order,
 * paging, filters), one patient's timeline, typed errors and limits, reviews, $lastn. Subscriptions:
 * graphql-subscriptions.e2e-spec.ts; an upload scored by the real model: graphql-assessment.e2e-spec.ts.
 */
describe('GraphQL serial monitoring (PostgreSQL)', () => {
  let service: TestService;
  let gql: ReturnType<typeof graphqlClient>;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('monitoring_graphql') });
    gql = graphqlClient(service);
    const stores = { monitoring: service.runtime.monitoring.store, scoring: service.runtime.scoring.store };
    const common = { fhir: service.runtime.config.fhir, model: service.runtime.scoring.model.identity };
    await seedResults(stores, { ...common, patients: 60, studiesPerPatient: 4, patientPrefix: 'list' });
    // one patient worsening 2 → 9 (alerts), one improving; with Observations for reviews and $lastn
    await seedResults(stores, { ...common, patients: 2, studiesPerPatient: 3, patientPrefix: 'ward', withObservations: true, score: (p, s) => (p === 0 ? [2, 5, 9][s] : [12, 10, 7][s]) });
    await service.runtime.monitoring.service.refreshStale();
  });

  afterAll(async () => {
    await service?.close();
  });

  it('matches the committed schema file (set UPDATE_GRAPHQL_SCHEMA=1 to regenerate)', () => {
    const schema = printSchema(service.app.get(GraphQLSchemaHost).schema);
    if (process.env['UPDATE_GRAPHQL_SCHEMA'] === '1') writeFileSync(SCHEMA_FILE, `${schema}\n`);
    expect(readFileSync(SCHEMA_FILE, 'utf8').trim()).toBe(schema.trim());
  });

  const LIST = `query List($first: Int!, $after: String, $filter: PatientFilterInput) {
    patients(first: $first, after: $after, filter: $filter) {
      edges { cursor node { id latestScore trend alertState activeAlerts { ruleId severity }
        timeline { trend points { observationId global deltaGlobal origin zones { zone score delta } } alerts { ruleId observationId } } } }
      pageInfo { hasNextPage endCursor } } }`;

  it('serves the 50-patient list with timelines in a constant number of SQL queries (DataLoader)', async () => {
    const count = async (first: number): Promise<number> => {
      const recorder = recordQueries(service.runtime.database.dataSource);
      try {
        const body = await gql<Data>(LIST, { first });
        expect(body.errors).toBeUndefined();
        expect(body.data?.patients.edges).toHaveLength(first);
        expect(body.data?.patients.edges[0].node.timeline.points.length).toBeGreaterThan(0);
      } finally {
        recorder.stop();
      }
      // pg-boss polls on its own connection; count only this service's monitoring reads
      return recorder.queries.filter((sql) => /brixia_result|patient_monitoring/.test(sql)).length;
    };
    const five = await count(5);
    const fifty = await count(50);
    expect(fifty).toBe(five);
    expect(fifty).toBe(2); // one page of the projection + one batched series query
  });

  it('sorts by latest score then trend, pages by cursor and filters by trend and alert state', async () => {
    const first = (await gql<Data>(LIST, { first: 30 })).data?.patients as PatientPage;
    const scores = first.edges.map((edge) => edge.node.latestScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const second = (await gql<Data>(LIST, { first: 30, after: first.pageInfo.endCursor })).data?.patients as PatientPage;
    const ids = new Set([...first.edges, ...second.edges].map((edge) => edge.node.id));
    expect(ids.size).toBe(60);
    const FILTERED = `query F($filter: PatientFilterInput) { patients(first: 100, filter: $filter) { edges { node { id trend alertState } } } }`;
    const worsening = (await gql<Data>(FILTERED, { filter: { trends: ['WORSENING'], alertState: 'ACTIVE' } })).data?.patients.edges ?? [];
    expect(worsening.length).toBeGreaterThan(0);
    for (const edge of worsening) expect([edge.node.trend, edge.node.alertState]).toEqual(['WORSENING', 'ACTIVE']);
    expect(worsening.map((edge) => edge.node.id)).toContain('ward-0');
  });

  it('returns the timeline with deltas, trend and alerts of one patient', async () => {
    const body = await gql<Data>(`{ patient(id: "ward-0") { latestScore trend alertState timeline { trend trendChange points { global deltaGlobal deltaFromFirst alerts { ruleId } } activeAlerts { ruleId severity } } } }`);
    const patient = body.data?.patient as Data['patient'];
    expect(patient).toMatchObject({ latestScore: 9, trend: 'WORSENING', alertState: 'ACTIVE' });
    expect(patient.timeline.points.map((p) => [p['global'], p['deltaGlobal'], p['deltaFromFirst']])).toEqual([[2, null, 0], [5, 3, 3], [9, 4, 7]]);
    expect(patient.timeline.points[2].alerts.map((a) => a.ruleId).sort()).toEqual(['rise-from-admission', 'score-8-or-more']);
    expect(patient.timeline.activeAlerts).toEqual(expect.arrayContaining([{ ruleId: 'rise-from-admission', severity: 'WARNING' }, { ruleId: 'score-8-or-more', severity: 'INFO' }]));
  });

  it('answers unknown ids, invalid queries and over-deep queries with typed codes and no stack', async () => {
    const unknown = await gql<Data>(`{ patient(id: "nobody") { id } }`);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'RESOURCE.NOT_FOUND', httpStatus: 404 });
    const nulId = await gql<Data>(`{ patient(id: "a\\u0000") { id } }`);
    expect(nulId.errors?.[0].extensions).toMatchObject({ code: 'REQUEST.INVALID', httpStatus: 400 });
    // PostgreSQL rejects NUL in text parameters; these used to be INTERNAL (500).
    for (const query of [
      `{ assessment(observationId: "a\\u0000") { status } }`,
      `{ assessment(taskId: "a\\u0000") { status } }`,
      `mutation { reviewAssessment(input: { observationId: "a\\u0000", action: CONFIRM, practitionerId: "p" }) { versionId } }`,
    ]) {
      const body = await gql<Data>(query);
      expect([query, body.errors?.[0].extensions.code]).toEqual([query, 'RESOURCE.NOT_FOUND']);
    }
    const invalid = await gql<Data>(`{ patients(first: 5) { edges { node { nope } } } }`, {}, 400);
    expect(invalid.errors?.[0].extensions.code).toBe('REQUEST.INVALID');
    const badPage = await gql<Data>(`{ patients(first: 1000) { pageInfo { hasNextPage } } }`);
    expect(badPage.errors?.[0].extensions.code).toBe('REQUEST.INVALID');
    const badCursor = await gql<Data>(`{ patients(first: 5, after: "xyz") { pageInfo { hasNextPage } } }`);
    expect(badCursor.errors?.[0].extensions.code).toBe('REQUEST.INVALID');
    // Introspection is bounded apart from the data graph (GraphiQL's own query nests to depth 15), and still bounded.
    const deep = await gql<Data>(`{ __schema { types { fields { type { ${'ofType { '.repeat(16)}name${' }'.repeat(16)} } } } } }`, {}, 400);
    expect(deep.errors?.[0].extensions.code).toBe('REQUEST.TOO_COMPLEX');
    const costly = await gql<Data>(`{ patients(first: 100) { edges { node { timeline { points { zones { zone score delta aiScore } alerts { ruleId kind message } } } } } } }`, {}, 400);
    expect(costly.errors?.[0].extensions.code).toBe('REQUEST.TOO_COMPLEX');
    for (const body of [unknown, invalid, badPage, deep, costly]) expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('reviews an AI result with optimistic concurrency and shows both values on the timeline', async () => {
    const REVIEW = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status observation provenance } }`;
    const observationId = 'obs-ward-1-2';
    const confirm = await gql<Data>(REVIEW, { input: { observationId, action: 'CONFIRM', practitionerId: 'dr-rossi' } });
    expect(confirm.data?.reviewAssessment).toMatchObject({ versionId: 2, status: 'final' });
    expect(confirm.data?.reviewAssessment.provenance.activity.coding[0].code).toBe('UPDATE');
    const stale = await gql<Data>(REVIEW, { input: { observationId, action: 'OVERRIDE', zones: { A: 3, B: 3, C: 2, D: 2, E: 1, F: 1 }, practitionerId: 'dr-bianchi' } });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'RESOURCE.VERSION_CONFLICT', httpStatus: 409 });
    const wrong = await gql<Data>(REVIEW, { input: { observationId, action: 'CONFIRM', expectedVersion: 1, practitionerId: 'dr-bianchi' } });
    expect(wrong.errors?.[0].extensions.code).toBe('RESOURCE.VERSION_CONFLICT');
    const override = await gql<Data>(REVIEW, { input: { observationId, action: 'OVERRIDE', zones: { A: 3, B: 3, C: 2, D: 2, E: 1, F: 1 }, expectedVersion: 2, practitionerId: 'dr-bianchi' } });
    expect(override.data?.reviewAssessment).toMatchObject({ versionId: 3, status: 'amended', observation: { valueInteger: 12 } });
    const timeline = await gql<Data>(`{ patient(id: "ward-1") { latestScore timeline { points { observationId global aiGlobal origin versionId } } } }`);
    expect(timeline.data?.patient.latestScore).toBe(12);
    expect(timeline.data?.patient.timeline.points[2]).toEqual({ observationId, global: 12, aiGlobal: 7, origin: 'CLINICIAN_OVERRIDE', versionId: 3 });
    const fhir = await service.http.get(`/fhir/Observation/${observationId}`).expect(200);
    expect(fhir.body).toMatchObject({ status: 'amended', valueInteger: 12, meta: { versionId: '3' } });
    const bad = await gql<Data>(REVIEW, { input: { observationId: 'obs-nope', action: 'CONFIRM', practitionerId: 'dr-rossi' } });
    expect(bad.errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
  });

  it('answers Observation/$lastn for the Brixia code', async () => {
    const response = await service.http.get('/fhir/Observation/$lastn').query({ patient: 'Patient/ward-0', max: '2' }).expect(200);
    expect(response.headers['content-type']).toContain('application/fhir+json');
    expect((response.body as fhir4.Bundle).entry?.map((entry) => (entry.resource as fhir4.Observation).valueInteger)).toEqual([9, 5]);
    await service.http.get('/fhir/Observation/$lastn').expect(400);
  });
});
