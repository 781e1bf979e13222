/**
 * Serial-monitoring query latency, on real PostgreSQL with 10,000 stored results
 * inserted directly through the store (no model runs): p50/p95 of
 *   1. the GraphQL timeline of one patient with 200 studies (points, zones, deltas, trend, alerts);
 *   2. the GraphQL 50-patient list (projection only), and the same list with every timeline (DataLoader);
 *   3. the timeline use case without HTTP/GraphQL (MonitoringService.monitorPatient), for the split.
 * Run:  node -r ./tools/register.js bench/timeline-query.bench.ts [--runs 200]
 * Uses a dedicated database timeline_bench_test on 127.0.0.1:5432.
 */
import { parseArgs } from 'node:util';
import request from 'supertest';
import { createTestDatabase } from '@brixia/persistence/testing';
import { loadConfig } from '../apps/api/src/config';
import { createHttpApp } from '../apps/api/src/http-app';
import { createRuntime } from '../apps/api/src/runtime';
import { seedResults } from '../test/support/monitoring-seed';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const TIMELINE = `query T($id: ID!) { patient(id: $id) { id latestScore trend timeline { trend trendChange changePerDay
  points { observationId acquiredAt global deltaGlobal deltaFromFirst changePerDay origin versionId zones { zone score delta } alerts { ruleId } }
  alerts { ruleId observationId } activeAlerts { ruleId } } } }`;
const LIST = `{ patients(first: 50) { edges { cursor node { id latestScore latestAcquiredAt trend alertState studyCount activeAlerts { ruleId severity } } } pageInfo { hasNextPage endCursor } } }`;
const LIST_WITH_TIMELINES = `{ patients(first: 50) { edges { node { id latestScore trend timeline { trend points { global acquiredAt origin } } } } } }`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '200' } } });
  const runs = Number(values.runs);
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', BRIXIA_ROLE: 'api', DATABASE_URL: await createTestDatabase('timeline_bench') });
  const runtime = await createRuntime(config);
  const app = await createHttpApp(runtime);
  const http = request(app.getHttpServer());
  try {
    const stores = { monitoring: runtime.monitoring.store, scoring: runtime.scoring.store };
    const common = { fhir: config.fhir, model: runtime.scoring.model.identity };
    const seedStarted = performance.now();
    await seedResults(stores, { ...common, patients: 1, studiesPerPatient: 200, patientPrefix: 'heavy', score: (_p, s) => Math.round(9 + 8 * Math.sin(s / 9)) });
    await seedResults(stores, { ...common, patients: 196, studiesPerPatient: 50, patientPrefix: 'ward' });
    const refreshed = await runtime.monitoring.service.refreshStale();
    const [{ count }] = (await runtime.database.dataSource.query('SELECT count(*)::int AS count FROM brixia_result')) as Array<{ count: number }>;
    console.log(JSON.stringify({ storedResults: count, patients: refreshed, seedMs: Math.round(performance.now() - seedStarted) }));

    const time = async (name: string, run: () => Promise<void>): Promise<void> => {
      for (let i = 0; i < 10; i++) await run();
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await run();
        samples.push(performance.now() - t0);
      }
      console.log(JSON.stringify({ query: name, runs, p50Ms: +percentile(samples, 50).toFixed(1), p95Ms: +percentile(samples, 95).toFixed(1) }));
    };
    const gql = async (query: string, variables: Record<string, unknown> = {}): Promise<void> => {
      const response = await http.post('/graphql').send({ query, variables });
      if (response.status !== 200 || response.body.errors) throw new Error(JSON.stringify(response.body.errors ?? response.status));
    };
    await time('graphql timeline, 200 studies', () => gql(TIMELINE, { id: 'heavy-0' }));
    await time('graphql patient list, 50 patients', () => gql(LIST));
    await time('graphql patient list, 50 patients with timelines', () => gql(LIST_WITH_TIMELINES));
    await time('service timeline, 200 studies (no HTTP)', async () => {
      await runtime.monitoring.service.monitorPatient('heavy-0');
    });
  } finally {
    await app.close();
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
