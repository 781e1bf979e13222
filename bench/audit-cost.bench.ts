/**
 * The audit write's cost on a read, beside the unaudited figure from the same run:
 *   unaudited: GET /fhir/Device/:id       (stored-resource read, same handler path, not patient data)
 *   audited:   GET /fhir/Observation/:id  (stored-resource read + AuditEvent INSERT before the response leaves)
 *   insert:    AuditStore.record alone     (build the BALP AuditEvent + one INSERT, committed with WAL flush)
 *   async:     the same INSERT with synchronous_commit = off (what the commit's WAL flush costs; NOT what the service does)
 * Requests alternate (one of each per round) over one keep-alive connection, so load drifts hit both alike.
 * Run:  node -r ./tools/register.js bench/audit-cost.bench.ts [--rounds 500] [--embedded]
 * Uses a dedicated database <prefix>brixia_bench_audit_test on 127.0.0.1:5432 unless --embedded (PGlite in memory).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { silentLogger } from '@brixia/common';
import { buildAuditEvent, deviceIdFor } from '@brixia/fhir';
import { insertAuditEvent } from '@brixia/persistence';
import { createTestDatabase } from '@brixia/persistence/testing';
import { loadConfig } from '../apps/api/src/config';
import { createHttpApp } from '../apps/api/src/http-app';
import { createRuntime } from '../apps/api/src/runtime';
import { seedResults } from '../test/support/monitoring-seed';

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const summary = (values: number[]): string => `p50 ${percentile(values, 50).toFixed(2)} ms  p90 ${percentile(values, 90).toFixed(2)} ms  p99 ${percentile(values, 99).toFixed(2)} ms`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '500' }, embedded: { type: 'boolean', default: false } } });
  const rounds = Number(values.rounds);
  const databaseUrl = values.embedded ? undefined : await createTestDatabase('brixia_bench_audit');
  const config = loadConfig({ LOG_LEVEL: 'silent', ...process.env, PORT: '0', DATABASE_URL: databaseUrl ?? '', BRIXIA_DATA_DIR: 'memory://', BRIXIA_ROLE: 'api' });
  const runtime = await createRuntime(config, silentLogger);
  const app = await createHttpApp(runtime);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const [patient] = await seedResults(
    { monitoring: runtime.monitoring.store, scoring: runtime.scoring.store },
    { patients: 1, studiesPerPatient: 1, withObservations: true, patientPrefix: 'bench', fhir: config.fhir, model: runtime.scoring.model.identity },
  );
  const observationPath = `/fhir/Observation/obs-bench-0-0`;
  const devicePath = `/fhir/Device/${deviceIdFor(runtime.scoring.model.identity)}`;
  const timed = async (path: string): Promise<number> => {
    const t0 = performance.now();
    const response = await fetch(`${base}${path}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return performance.now() - t0;
  };
  for (let i = 0; i < 50; i++) {
    await timed(observationPath);
    await timed(devicePath);
  }
  const unaudited: number[] = [];
  const audited: number[] = [];
  for (let i = 0; i < rounds; i++) {
    audited.push(await timed(observationPath));
    unaudited.push(await timed(devicePath));
  }
  const insert: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const input = { id: randomUUID(), recorded: new Date(), action: 'R', interaction: 'read', status: 200, agent: { clientId: 'bench', sourceAddress: '127.0.0.1' }, patientIds: [patient], entities: ['Observation/obs-bench-0-0'], requestId: randomUUID(), description: 'bench' } as const;
    await runtime.audit.store.record({ input, resource: buildAuditEvent(config.fhir, input) });
    insert.push(performance.now() - t0);
  }
  const asyncCommit: number[] = [];
  for (let i = 0; i < (runtime.database.mode === 'postgres' ? rounds : 0); i++) {
    const t0 = performance.now();
    const input = { id: randomUUID(), recorded: new Date(), action: 'R', interaction: 'read', status: 200, agent: { clientId: 'bench' }, patientIds: [patient], entities: [], requestId: randomUUID(), description: 'bench' } as const;
    await runtime.database.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL synchronous_commit = off');
      await insertAuditEvent(manager, { input, resource: buildAuditEvent(config.fhir, input) });
    });
    asyncCommit.push(performance.now() - t0);
  }
  const events = (await runtime.audit.store.search({ limit: 1, offset: 0 })).total;
  process.stdout.write(
    [
      `database: ${runtime.database.mode}, ${rounds} rounds, ${events} AuditEvents written`,
      `unaudited read (Device)        ${summary(unaudited)}`,
      `audited read (Observation)     ${summary(audited)}`,
      `audit cost on a read (p50 diff) ${(percentile(audited, 50) - percentile(unaudited, 50)).toFixed(2)} ms`,
      `AuditStore.record alone        ${summary(insert)}`,
      ...(asyncCommit.length > 0 ? [`same, synchronous_commit=off  ${summary(asyncCommit)}`] : []),
      '',
    ].join('\n'),
  );
  await app.close();
  await runtime.close();
}

void main();
