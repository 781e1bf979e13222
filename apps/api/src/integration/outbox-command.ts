import { createLogger } from '@brixia/common';
import { MIGRATIONS } from '@brixia/migrations';
import { openDatabase, OutboxStore } from '@brixia/persistence';
import { loadConfig } from '../config';

/**
 * Operator command for the publication outbox: `npm run --silent outbox -- list [pending|delivered|dead]`
 * prints one JSON line per message (kind `result`: a result's publication; `revision`: a review's);
 * `npm run --silent outbox -- redeliver <id>` puts a message back to pending with a fresh retry period
 * (after fixing the EHR or the credentials; a dead result first, then its dead revisions).
 */
async function main(argv: readonly string[]): Promise<number> {
  const [command, argument] = argv;
  const config = loadConfig();
  const database = await openDatabase({ ...config.database, migrations: MIGRATIONS }, createLogger({ level: 'warn', name: 'outbox' }));
  try {
    const outbox = new OutboxStore(database.dataSource);
    if (command === 'list') {
      const state = argument === 'pending' || argument === 'delivered' || argument === 'dead' ? argument : undefined;
      for (const m of await outbox.list(state, 1000)) {
        process.stdout.write(`${JSON.stringify({ id: m.id, observationId: m.resultId, kind: m.kind, state: m.state, attempts: m.attempts, destination: m.destination, lastError: m.lastError, nextAttemptAt: m.nextAttemptAt, deliveredAt: m.deliveredAt })}\n`);
      }
      return 0;
    }
    if (command === 'redeliver' && argument) {
      if (!(await outbox.redeliver(argument))) {
        process.stderr.write(`no outbox message ${argument}\n`);
        return 1;
      }
      process.stdout.write(`${JSON.stringify({ id: argument, state: 'pending' })}\n`);
      return 0;
    }
    process.stderr.write('usage: npm run --silent outbox -- list [pending|delivered|dead] | redeliver <id>\n');
    return 2;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
