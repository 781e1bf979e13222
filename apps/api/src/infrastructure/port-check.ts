import { createServer } from 'node:net';
import { AppError } from '@brixia/common';

/**
 * Fails fast when the HTTP port is already taken, before the database is migrated and the model loaded
 * (which take seconds), so a second `npm start` says so at once instead of after start-up.
 * A race with another process binding between this check and `listen` is still reported by listen itself.
 */
export async function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new AppError('CONFIG.INVALID', `Port ${port} on ${host} is already in use (another Brixia or another program); set PORT to a free port`)
          : error,
      );
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
