import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppError, type Logger, silentLogger } from '@brixia/common';

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Cross-process notifications over PostgreSQL LISTEN/NOTIFY (payloads ≤ 8000 bytes, delivered to
 * every listening session after the sending transaction commits, at most once). Sends go through the
 * DataSource's pool; listening holds one dedicated connection. PostgreSQL mode only: the embedded
 * database has a single connection, and there every role runs in one process anyway.
 */
export class PgNotificationChannel {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly client: Client,
    readonly channel: string,
  ) {}

  static async listen(dataSource: DataSource, channel: string, onMessage: (payload: string) => void, logger: Logger = silentLogger): Promise<PgNotificationChannel> {
    if (!CHANNEL_NAME.test(channel)) throw new AppError('CONFIG.INVALID', 'Notification channel names are lower-case identifiers');
    const url = (dataSource.options as { url?: string }).url;
    if (!url) throw new AppError('CONFIG.INVALID', 'LISTEN/NOTIFY needs a PostgreSQL connection URL');
    const client = new Client({ connectionString: url });
    client.on('notification', (message) => {
      if (message.channel === channel && message.payload !== undefined) onMessage(message.payload);
    });
    client.on('error', (error) => logger.warn({ channel, err: error.message }, 'notification listener lost its connection'));
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    return new PgNotificationChannel(dataSource, client, channel);
  }

  async notify(payload: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
