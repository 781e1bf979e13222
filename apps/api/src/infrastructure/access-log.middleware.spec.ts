import express from 'express';
import request from 'supertest';
import type { Logger } from '@brixia/common';
import { accessLogMiddleware } from './access-log.middleware';
import { requestIdMiddleware } from './request-id.middleware';

function recordingLogger(lines: Array<Record<string, unknown>>): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: (fields, msg) => lines.push({ ...fields, msg }),
    warn: () => undefined,
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

describe('accessLogMiddleware', () => {
  it('logs one line per request with the route template, status, duration and request id, never the URL', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const app = express();
    app.use(requestIdMiddleware);
    app.use(accessLogMiddleware(recordingLogger(lines)));
    app.get('/api/v1/patients/:id/timeline', (_req, res) => {
      res.status(200).json({ ok: true });
    });
    await request(app).get('/api/v1/patients/patient-secret-123/timeline?name=Rossi').set('X-Request-ID', 'req-1').expect(200);
    await request(app).get('/nowhere/patient-secret-123').expect(404);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ msg: 'request', requestId: 'req-1', method: 'GET', route: '/api/v1/patients/:id/timeline', status: 200, durationMs: expect.any(Number) });
    expect(lines[1]).toMatchObject({ route: '/nowhere/…', status: 404 });
    expect(JSON.stringify(lines)).not.toMatch(/patient-secret-123|Rossi/);
  });
});
