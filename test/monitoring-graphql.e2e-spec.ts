import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { printSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import sharp from 'sharp';
import WebSocket from 'ws';
import { expectValidR4 } from '@brixia/fhir/testing';
import { createTestDatabase, recordQueries } from '@brixia/persistence/testing';
import { loadConfig } from '../apps/api/src/config';
import { createRuntime } from '../apps/api/src/runtime';
import { startService, uploadRadiograph, type TestService } from './support/service';
import { seedResults } from './support/monitoring-seed';

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
interface GqlBody {
  data?: {
    patients: PatientPage;
    patient: PatientNode & { timeline: { points: Array<Record<string, number | null> & { alerts: Array<{ ruleId: string }> }>; activeAlerts: unknown[] } };
    reviewAssessment: { versionId: number; status: string; provenance: { activity: { coding: Array<{ code: string }> } } };
    assessment: {
      taskId: string;
      global: number;
      task: fhir4.Task;
      diagnosticReport: fhir4.DiagnosticReport;
      explanationImages: Array<{ kind?: string; zone: string | null; url: string; contentType: string; mediaId: string }>;
      radiographUrl: string;
    };
    requestAssessment: { taskId: string; created: boolean; status: string };
    explainByOcclusion: { images: number; segments: number; forwardPasses: number };
  };
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}

/** Patient ids sort after the others, so each test's patients are easy to find. */
describe('GraphQL serial monitoring (PostgreSQL)', () => {
  let service: TestService;
  let databaseUrl: string;

  const gql = async (query: string, variables: Record<string, unknown> = {}, status = 200) =>
    (await service.http.post('/graphql').send({ query, variables }).expect('content-type', /json/).expect(status)).body as GqlBody;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('monitoring_graphql');
    service = await startService({ DATABASE_URL: databaseUrl });
    idleListeners = service.runtime.monitoring.service.events.listenerCount;
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
        const body = await gql(LIST, { first });
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
    const first = (await gql(LIST, { first: 30 })).data?.patients as PatientPage;
    const scores = first.edges.map((edge) => edge.node.latestScore);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const second = (await gql(LIST, { first: 30, after: first.pageInfo.endCursor })).data?.patients as PatientPage;
    const ids = new Set([...first.edges, ...second.edges].map((edge) => edge.node.id));
    expect(ids.size).toBe(60);
    const FILTERED = `query F($filter: PatientFilterInput) { patients(first: 100, filter: $filter) { edges { node { id trend alertState } } } }`;
    const worsening = (await gql(FILTERED, { filter: { trends: ['WORSENING'], alertState: 'ACTIVE' } })).data?.patients.edges ?? [];
    expect(worsening.length).toBeGreaterThan(0);
    for (const edge of worsening) expect([edge.node.trend, edge.node.alertState]).toEqual(['WORSENING', 'ACTIVE']);
    expect(worsening.map((edge) => edge.node.id)).toContain('ward-0');
  });

  it('returns the timeline with deltas, trend and alerts of one patient', async () => {
    const body = await gql(`{ patient(id: "ward-0") { latestScore trend alertState timeline { trend trendChange points { global deltaGlobal deltaFromFirst alerts { ruleId } } activeAlerts { ruleId severity } } } }`);
    const patient = body.data?.patient as NonNullable<GqlBody['data']>['patient'];
    expect(patient).toMatchObject({ latestScore: 9, trend: 'WORSENING', alertState: 'ACTIVE' });
    expect(patient.timeline.points.map((p) => [p['global'], p['deltaGlobal'], p['deltaFromFirst']])).toEqual([[2, null, 0], [5, 3, 3], [9, 4, 7]]);
    expect(patient.timeline.points[2].alerts.map((a) => a.ruleId).sort()).toEqual(['rise-from-admission', 'score-8-or-more']);
    expect(patient.timeline.activeAlerts).toEqual(expect.arrayContaining([{ ruleId: 'rise-from-admission', severity: 'WARNING' }, { ruleId: 'score-8-or-more', severity: 'INFO' }]));
  });

  it('answers unknown ids, invalid queries and over-deep queries with typed codes and no stack', async () => {
    const unknown = await gql(`{ patient(id: "nobody") { id } }`);
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'RESOURCE.NOT_FOUND', httpStatus: 404 });
    const nulId = await gql(`{ patient(id: "a\\u0000") { id } }`);
    expect(nulId.errors?.[0].extensions).toMatchObject({ code: 'REQUEST.INVALID', httpStatus: 400 });
    // PostgreSQL rejects NUL in text parameters; these used to be INTERNAL (500).
    for (const query of [
      `{ assessment(observationId: "a\\u0000") { status } }`,
      `{ assessment(taskId: "a\\u0000") { status } }`,
      `mutation { reviewAssessment(input: { observationId: "a\\u0000", action: CONFIRM, practitionerId: "p" }) { versionId } }`,
    ]) {
      const body = await gql(query);
      expect([query, body.errors?.[0].extensions.code]).toEqual([query, 'RESOURCE.NOT_FOUND']);
    }
    const invalid = await gql(`{ patients(first: 5) { edges { node { nope } } } }`, {}, 400);
    expect(invalid.errors?.[0].extensions.code).toBe('REQUEST.INVALID');
    const badPage = await gql(`{ patients(first: 1000) { pageInfo { hasNextPage } } }`);
    expect(badPage.errors?.[0].extensions.code).toBe('REQUEST.INVALID');
    const badCursor = await gql(`{ patients(first: 5, after: "xyz") { pageInfo { hasNextPage } } }`);
    expect(badCursor.errors?.[0].extensions.code).toBe('REQUEST.INVALID');
    // Introspection is bounded apart from the data graph (GraphiQL's own query nests to depth 15), and still bounded.
    const deep = await gql(`{ __schema { types { fields { type { ${'ofType { '.repeat(16)}name${' }'.repeat(16)} } } } } }`, {}, 400);
    expect(deep.errors?.[0].extensions.code).toBe('REQUEST.TOO_COMPLEX');
    const costly = await gql(`{ patients(first: 100) { edges { node { timeline { points { zones { zone score delta aiScore } alerts { ruleId kind message } } } } } } }`, {}, 400);
    expect(costly.errors?.[0].extensions.code).toBe('REQUEST.TOO_COMPLEX');
    for (const body of [unknown, invalid, badPage, deep, costly]) expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });

  it('reviews an AI result with optimistic concurrency and shows both values on the timeline', async () => {
    const REVIEW = `mutation R($input: ReviewAssessmentInput!) { reviewAssessment(input: $input) { versionId status observation provenance } }`;
    const observationId = 'obs-ward-1-2';
    const confirm = await gql(REVIEW, { input: { observationId, action: 'CONFIRM', practitionerId: 'dr-rossi' } });
    expect(confirm.data?.reviewAssessment).toMatchObject({ versionId: 2, status: 'final' });
    expect(confirm.data?.reviewAssessment.provenance.activity.coding[0].code).toBe('UPDATE');
    const stale = await gql(REVIEW, { input: { observationId, action: 'OVERRIDE', zones: { A: 3, B: 3, C: 2, D: 2, E: 1, F: 1 }, practitionerId: 'dr-bianchi' } });
    expect(stale.errors?.[0].extensions).toMatchObject({ code: 'RESOURCE.VERSION_CONFLICT', httpStatus: 409 });
    const wrong = await gql(REVIEW, { input: { observationId, action: 'CONFIRM', expectedVersion: 1, practitionerId: 'dr-bianchi' } });
    expect(wrong.errors?.[0].extensions.code).toBe('RESOURCE.VERSION_CONFLICT');
    const override = await gql(REVIEW, { input: { observationId, action: 'OVERRIDE', zones: { A: 3, B: 3, C: 2, D: 2, E: 1, F: 1 }, expectedVersion: 2, practitionerId: 'dr-bianchi' } });
    expect(override.data?.reviewAssessment).toMatchObject({ versionId: 3, status: 'amended', observation: { valueInteger: 12 } });
    const timeline = await gql(`{ patient(id: "ward-1") { latestScore timeline { points { observationId global aiGlobal origin versionId } } } }`);
    expect(timeline.data?.patient.latestScore).toBe(12);
    expect(timeline.data?.patient.timeline.points[2]).toEqual({ observationId, global: 12, aiGlobal: 7, origin: 'CLINICIAN_OVERRIDE', versionId: 3 });
    const fhir = await service.http.get(`/fhir/Observation/${observationId}`).expect(200);
    expect(fhir.body).toMatchObject({ status: 'amended', valueInteger: 12, meta: { versionId: '3' } });
    const bad = await gql(REVIEW, { input: { observationId: 'obs-nope', action: 'CONFIRM', practitionerId: 'dr-rossi' } });
    expect(bad.errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
  });

  it('answers Observation/$lastn for the Brixia code', async () => {
    const response = await service.http.get('/fhir/Observation/$lastn').query({ patient: 'Patient/ward-0', max: '2' }).expect(200);
    expect(response.headers['content-type']).toContain('application/fhir+json');
    expect((response.body as fhir4.Bundle).entry?.map((entry) => (entry.resource as fhir4.Observation).valueInteger)).toEqual([9, 5]);
    await service.http.get('/fhir/Observation/$lastn').expect(400);
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

  /** Polls `check` until it holds; the bound (60 s) is ≥ 100× what these events take on a loaded machine. */
  const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const wsClient = async (): Promise<ReturnType<typeof createClient>> => {
    const server = service.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    return createClient({ url: `ws://127.0.0.1:${port}/graphql`, webSocketImpl: WebSocket, lazy: false, connectionParams: { Authorization: `Bearer ${service.token}` } });
  };

  it('relays events from another process (worker role) to subscribers of this one over PostgreSQL NOTIFY', async () => {
    const worker = await createRuntime(loadConfig({ PORT: '0', LOG_LEVEL: 'silent', BRIXIA_ROLE: 'api', DATABASE_URL: databaseUrl }));
    const client = await wsClient();
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
    const client = await wsClient();
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

  it('scores an upload with the real model: assessment with Task, Observation, report and heat-map overlays', async () => {
    const upload = await uploadRadiograph(service, { patient: 'cxr-1', acquired: '2024-03-05T10:00:00Z', seed: 11 });
    const observation = upload.body as fhir4.Observation;
    // The overlays are rendered right after the result is published (off the request's critical path).
    const query = `query A($id: ID!) { assessment(observationId: $id) { taskId global task diagnosticReport explanationImages { zone url contentType mediaId } radiographUrl } }`;
    let body = await gql(query, { id: observation.id });
    await until('the explanation images', async () => {
      body = await gql(query, { id: observation.id });
      return (body.data?.assessment?.explanationImages.length ?? 0) >= 7;
    });
    expect(body.errors).toBeUndefined();
    const assessment = body.data?.assessment as NonNullable<GqlBody['data']>['assessment'];
    expect(assessment.global).toBe(observation.valueInteger);
    expect(assessment.task).toMatchObject({ resourceType: 'Task', status: 'completed' });
    expect(assessment.explanationImages.map((image) => image.zone)).toEqual([null, 'A', 'B', 'C', 'D', 'E', 'F']);
    expect(assessment.diagnosticReport.media).toHaveLength(7);
    const overlay = await service.http.get(new URL(assessment.explanationImages[0].url).pathname).expect(200).expect('content-type', 'image/png');
    expect(await sharp(overlay.body as Buffer).metadata()).toMatchObject({ width: 512, height: 427, format: 'png' });
    const media = await service.http.get(`/fhir/Media/${assessment.explanationImages[1].mediaId}`).expect(200);
    expectValidR4(media.body);
    await service.http.get(new URL(assessment.radiographUrl).pathname).expect(200).expect('content-type', 'image/png');
    // the completion hook refreshed the monitoring projection
    let patient = await gql(`{ patient(id: "cxr-1") { latestScore } }`);
    await until('the monitoring projection', async () => {
      patient = await gql(`{ patient(id: "cxr-1") { latestScore } }`);
      return !patient.errors;
    });
    expect(patient.data?.patient.latestScore).toBe(observation.valueInteger);
    const studyId = observation.derivedFrom?.[0].reference?.replace('ImagingStudy/', '');
    const again = await gql(`mutation { requestAssessment(imagingStudyId: "${studyId}") { taskId created status } }`);
    expect(again.data?.requestAssessment).toEqual({ taskId: assessment.taskId, created: false, status: 'completed' });
    const reviewed = await gql(`mutation { reviewAssessment(input: { observationId: "${observation.id}", action: OVERRIDE, zones: { A: 3, B: 3, C: 3, D: 3, E: 3, F: 3 }, practitionerId: "dr-rossi" }) { status } }`);
    expect(reviewed.data?.reviewAssessment.status).toBe('amended');
    const report = await service.http.get(`/fhir/DiagnosticReport/${assessment.diagnosticReport.id}`).expect(200);
    expect(report.body).toMatchObject({ status: 'amended', conclusion: expect.stringContaining('Clinician-reviewed Brixia 18/18') });
    expect(report.body.media).toHaveLength(7);
    // few super-pixels keep the test fast: each costs a model run
    const occlusion = await gql(`mutation { explainByOcclusion(taskId: "${assessment.taskId}", segments: 8) { images segments forwardPasses } }`);
    expect(occlusion.data?.explainByOcclusion.images).toBe(7);
    expect(occlusion.data?.explainByOcclusion.forwardPasses).toBe((occlusion.data?.explainByOcclusion.segments ?? 0) + 1);
    const nulTask = await gql(`mutation { explainByOcclusion(taskId: "a\\u0000", segments: 8) { images } }`);
    expect(nulTask.errors?.[0].extensions.code).toBe('RESOURCE.NOT_FOUND');
    const kinds = await gql(`query A($id: ID!) { assessment(observationId: $id) { explanationImages { kind zone } } }`, { id: observation.id });
    expect(kinds.data?.assessment.explanationImages.filter((image) => image.kind === 'occlusion-overlay')).toHaveLength(7);
    const unknownStudy = await gql(`mutation { requestAssessment(imagingStudyId: "nope") { taskId } }`);
    expect(unknownStudy.errors?.[0].extensions.code).toBe('IMAGING.STUDY_NOT_FOUND');
  }, 600_000); // upload, overlays, review, occlusion (9 model runs): ≈ 10 s idle, 75–94 s measured at load average 22–25
});
