import { expectValidR4 } from '@brixia/fhir/testing';
import { makeDicomFixture, makeRasterFixture } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import type request from 'supertest';
import { startService, type TestService } from './support/service';

const MAX_FUTURE_SKEW_S = 600;
// Wide bounds (no test may depend on the machine's speed): a scoring took minutes on a 2-core machine shared by ~8 test runs.
const SCORING_BOUND_MS = 300_000;

/** Acquisition times are real calendar instants, zoned (given or the configured default), not in the future. */
describe('acquisition times at intake (PostgreSQL, real model)', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({
      DATABASE_URL: await createTestDatabase('acquisition_time_e2e'),
      BRIXIA_DEFAULT_TIMEZONE: '+02:00',
      BRIXIA_MAX_FUTURE_SKEW_S: String(MAX_FUTURE_SKEW_S),
      BRIXIA_SYNC_TIMEOUT_MS: String(SCORING_BOUND_MS),
    });
  }, SCORING_BOUND_MS);

  afterAll(async () => {
    await service?.close();
  });

  let seed = 500;
  const uploadPng = async (acquired: string, patient = 'dates-png'): Promise<request.Response> => {
    const png = await makeRasterFixture({ format: 'png', width: 320, height: 320, seed: seed++ });
    return service.http.post('/api/v1/studies').attach('file', png, { filename: 'cxr.png' }).field('patient', patient).field('acquired', acquired);
  };
  const scoredAt = async (acquired: string): Promise<string | undefined> => {
    const response = await uploadPng(acquired);
    expect(response.status).toBe(201);
    return (response.body as fhir4.Observation).effectiveDateTime;
  };
  const tasksOf = async (patient: string): Promise<number> => {
    const [row] = (await service.runtime.database.dataSource.query(`SELECT count(*)::int AS n FROM scoring_task WHERE patient_id = $1`, [patient])) as Array<{ n: number }>;
    return row.n;
  };
  const expectRefused = async (response: { status: number; body: fhir4.OperationOutcome }, expression: string): Promise<void> => {
    expect(response.status).toBe(400);
    await expectValidR4(response.body);
    expect(response.body.issue[0].details?.text).toBe('REQUEST.INVALID');
    expect(response.body.issue[0].expression).toEqual([expression]);
  };
  const future = (seconds: number): string => new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

  it.each([
    ['2024-02-30T00:00:00Z', 'a 30th of February'],
    ['2023-02-29T10:00:00Z', 'a 29th of February outside a leap year'],
    ['2024-04-31T10:00:00+01:00', 'a 31st of April'],
    ['2024-03-01T24:00:00Z', 'hour 24'],
    ['2024-03-01T10:60:00Z', 'minute 60'],
    ['2024-03-01T10:00:00+15:00', 'an offset beyond ±14:00'],
    ['1890-01-01T10:00:00Z', 'a time before radiography existed'],
    ['2024-03-01', 'a date without a time'],
  ])('refuses acquired=%s (%s) with 400 naming the field, and records nothing', async (acquired) => {
    await expectRefused(await uploadPng(acquired, 'dates-refused'), 'acquired');
    expect(await tasksOf('dates-refused')).toBe(0);
  });

  it('refuses an acquisition time further in the future than the configured tolerance', async () => {
    const response = await uploadPng(future(MAX_FUTURE_SKEW_S + 3600), 'dates-future');
    await expectRefused(response, 'acquired');
    expect(response.body.issue[0].diagnostics).toMatch(/future/);
    expect(await tasksOf('dates-future')).toBe(0);
  });

  it('accepts a time just ahead of this clock (within the tolerance), a leap day, and completes the seconds', async () => {
    // A margin of minutes each way: the upload's own duration cannot push it past the tolerance.
    const ahead = future(60);
    expect(await scoredAt(ahead)).toBe(ahead);
    expect(await scoredAt('2024-02-29T23:59:59Z')).toBe('2024-02-29T23:59:59Z');
    expect(await scoredAt('2024-03-04T10:15Z')).toBe('2024-03-04T10:15:00Z');
  }, 3 * SCORING_BOUND_MS);

  it('gives a time without a zone the configured default zone', async () => {
    expect(await scoredAt('2024-03-04T10:00:00')).toBe('2024-03-04T10:00:00+02:00');
  }, SCORING_BOUND_MS);

  it('reads DICOM times without TimezoneOffsetFromUTC in the configured default zone', async () => {
    const dicom = await makeDicomFixture({ patientId: 'dates-dicom', acquisitionDateTime: '20240305081500', width: 320, height: 320, seed: 601 });
    const response = await service.http.post('/api/v1/studies').attach('file', dicom, { filename: 'cxr.dcm' }).expect(201);
    expect(response.body.effectiveDateTime).toBe('2024-03-05T08:15:00+02:00');
  }, SCORING_BOUND_MS);

  it('refuses a DICOM whose only dates are not calendar dates, or lie in the future, unless acquired is given', async () => {
    const invalid = await makeDicomFixture({ patientId: 'dates-dicom-bad', acquisitionDateTime: '20240230120000', width: 320, height: 320, seed: 602 });
    await expectRefused(await service.http.post('/api/v1/studies').attach('file', invalid, { filename: 'cxr.dcm' }), 'acquired');
    const nextYear = String(new Date().getUTCFullYear() + 1);
    const ahead = await makeDicomFixture({ patientId: 'dates-dicom-bad', acquisitionDateTime: `${nextYear}0301120000`, timezoneOffset: '+0000', width: 320, height: 320, seed: 603 });
    const refused = await service.http.post('/api/v1/studies').attach('file', ahead, { filename: 'cxr.dcm' });
    await expectRefused(refused, 'acquired');
    expect(refused.body.issue[0].diagnostics).toMatch(/future/);
    expect(await tasksOf('dates-dicom-bad')).toBe(0);

    const corrected = await service.http.post('/api/v1/studies').attach('file', invalid, { filename: 'cxr.dcm' }).field('acquired', '2024-02-29T12:00:00Z').expect(201);
    expect(corrected.body.effectiveDateTime).toBe('2024-02-29T12:00:00Z');
  }, SCORING_BOUND_MS);
});
