/**
 * The audit write's cost on a read: the SAME read (GET /fhir/Observation/:id, same resource) served by two
 * HTTP apps composed from one runtime (one database, one pool), in one run:
 *   audited:   the app as main.ts composes it: response held until its AuditEvent has committed
 *   unaudited: the same app with an audit trail that records nothing (UnrecordedAuditTrail below, composed
 *              here only: production has no switch for it); the request still passes the audit hook, so the
 *              difference is building the AuditEvent, the INSERT and its commit
 * Rounds are interleaved (one request to each app per round, the order alternating), each app over its own
 * keep-alive connection, so load drifts hit both alike; p50/p95 of each and the p50 difference.
 * Then, without HTTP: building the BALP AuditEvent alone, AuditStore.record (build + INSERT + commit, WAL flushed),
 * and the same INSERT with synchronous_commit = off (what the WAL flush costs; NOT what the service does).
 * Run:  node -r ./tools/register.js bench/audit-cost.bench.ts [--rounds 500] [--embedded]
 * Uses a dedicated database <prefix>brixia_bench_audit_test on 127.0.0.1:5432 unless --embedded (PGlite in memory).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { silentLogger, systemClock } from '@brixia/common';
import { buildAuditEvent, type AuditInput } from '@brixia/fhir';
import { insertAuditEvent } from '@brixia/persistence';
import { createTestDatabase } from '@brixia/persistence/testing';
import { AuditTrail } from '../apps/api/src/audit/audit-trail';
import { loadConfig } from '../apps/api/src/config';
import { createHttpApp } from '../apps/api/src/http-app';
import { createRuntime } from '../apps/api/src/runtime';
import { seedResults } from '../test/support/monitoring-seed';

/** The bench's control: the audit hook runs as in production, but no AuditEvent is built or written. */
class UnrecordedAuditTrail extends AuditTrail {
  override async record(): Promise<void> {
    // Intentionally nothing: the unaudited side of the comparison.
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const summary = (values: number[]): string => `p50 ${percentile(values, 50).toFixed(2)} ms  p95 ${percentile(values, 95).toFixed(2)} ms`;
const baseOf = (app: NestExpressApplication): string => `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '500' }, embedded: { type: 'boolean', default: false } } });
  const rounds = Number(values.rounds);
  const loadBefore = loadavg();
  const databaseUrl = values.embedded ? undefined : await createTestDatabase('brixia_bench_audit');
  // Authentication off (loopback only): its cost is token-validation.bench.ts's subject, and it is the same on both sides.
  const config = loadConfig({ LOG_LEVEL: 'silent', ...process.env, HOST: '127.0.0.1', BRIXIA_AUTH: 'off', PORT: '0', DATABASE_URL: databaseUrl ?? '', BRIXIA_DATA_DIR: 'memory://', BRIXIA_ROLE: 'api' });
  const runtime = await createRuntime(config, silentLogger);
  const audited = await createHttpApp(runtime);
  const unaudited = await createHttpApp({ ...runtime, audit: new UnrecordedAuditTrail(runtime.audit.store, config.fhir, systemClock) });
  await audited.listen(0, '127.0.0.1');
  await unaudited.listen(0, '127.0.0.1');
  const [patient] = await seedResults(
    { monitoring: runtime.monitoring.store, scoring: runtime.scoring.store },
    { patients: 1, studiesPerPatient: 1, withObservations: true, patientPrefix: 'bench', fhir: config.fhir, model: runtime.scoring.model.identity },
  );
  const path = `/fhir/Observation/obs-bench-0-0`;
  const timed = async (base: string): Promise<number> => {
    const t0 = performance.now();
    const response = await fetch(`${base}${path}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${base}${path} answered ${response.status}`);
    return performance.now() - t0;
  };
  const [auditedBase, unauditedBase] = [baseOf(audited), baseOf(unaudited)];
  const eventCount = async (): Promise<number> => (await runtime.audit.store.search({ limit: 1, offset: 0 })).total;
  const warmups = 50;
  for (let i = 0; i < warmups; i++) {
    await timed(auditedBase);
    await timed(unauditedBase);
  }
  const eventsBefore = await eventCount();
  const withAudit: number[] = [];
  const withoutAudit: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      withAudit.push(await timed(auditedBase));
      withoutAudit.push(await timed(unauditedBase));
    } else {
      withoutAudit.push(await timed(unauditedBase));
      withAudit.push(await timed(auditedBase));
    }
  }
  // The control must really write nothing and the audited side one event per read, or the comparison means nothing.
  const written = (await eventCount()) - eventsBefore;
  if (written !== rounds) throw new Error(`expected ${rounds} AuditEvents from the audited reads, found ${written}`);

  const inputOf = (): AuditInput => ({
    id: randomUUID(),
    recorded: new Date(),
    action: 'R',
    interaction: 'read',
    status: 200,
    agent: { clientId: 'bench', sourceAddress: '127.0.0.1' },
    patientIds: [patient],
    entities: ['Observation/obs-bench-0-0'],
    requestId: randomUUID(),
    description: `GET ${path}`,
  });
  const build: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    JSON.stringify(buildAuditEvent(config.fhir, inputOf()));
    build.push(performance.now() - t0);
  }
  const insert: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const input = inputOf();
    await runtime.audit.store.record({ input, resource: buildAuditEvent(config.fhir, input) });
    insert.push(performance.now() - t0);
  }
  const asyncCommit: number[] = [];
  for (let i = 0; i < (runtime.database.mode === 'postgres' ? rounds : 0); i++) {
    const t0 = performance.now();
    const input = inputOf();
    await runtime.database.dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL synchronous_commit = off');
      await insertAuditEvent(manager, { input, resource: buildAuditEvent(config.fhir, input) });
    });
    asyncCommit.push(performance.now() - t0);
  }
  const loadAfter = loadavg();
  process.stdout.write(
    [
      `database: ${runtime.database.mode}, ${rounds} rounds, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after`,
      `unaudited read (same Observation)  ${summary(withoutAudit)}`,
      `audited read                       ${summary(withAudit)}`,
      `audit cost on a read               p50 diff ${(percentile(withAudit, 50) - percentile(withoutAudit, 50)).toFixed(2)} ms  p95 diff ${(percentile(withAudit, 95) - percentile(withoutAudit, 95)).toFixed(2)} ms`,
      `AuditEvent built alone (+JSON)     ${summary(build)}`,
      `AuditStore.record alone            ${summary(insert)}`,
      ...(asyncCommit.length > 0 ? [`same, synchronous_commit=off       ${summary(asyncCommit)}`] : []),
      '',
    ].join('\n'),
  );
  await unaudited.close();
  await audited.close();
  await runtime.close();
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
