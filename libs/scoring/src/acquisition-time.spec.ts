import { isAppError } from '@brixia/common';
import { checkAcquisitionTime, type AcquisitionTimePolicy, type AcquisitionTimeSource } from './acquisition-time';

const policy: AcquisitionTimePolicy = { now: new Date('2026-06-01T12:00:00Z'), maxFutureSkewSeconds: 300, defaultTimezoneOffset: '+01:00' };
const client: AcquisitionTimeSource = { field: 'acquired', label: 'acquired', allowDateOnly: false };
const header: AcquisitionTimeSource = { field: 'acquired', label: "The image's acquisition time", allowDateOnly: true, hint: 'give acquired' };

function refusal(value: string, source = client, at = policy): { code: string; message: string; expression?: readonly string[] } {
  try {
    checkAcquisitionTime(value, at, source);
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, expression: error.expression };
    throw error;
  }
  throw new Error(`${value} was accepted`);
}

describe('checkAcquisitionTime', () => {
  it('accepts real instants and returns FHIR dateTimes (seconds, zone)', () => {
    expect(checkAcquisitionTime('2024-03-01T10:15:00Z', policy, client)).toBe('2024-03-01T10:15:00Z');
    expect(checkAcquisitionTime('2024-03-01T10:15:00.250-05:00', policy, client)).toBe('2024-03-01T10:15:00.250-05:00');
    expect(checkAcquisitionTime('2024-03-01T10:15Z', policy, client)).toBe('2024-03-01T10:15:00Z');
    expect(checkAcquisitionTime('2024-02-29T23:59:59+14:00', policy, client)).toBe('2024-02-29T23:59:59+14:00');
    expect(checkAcquisitionTime('2000-02-29T00:00:00Z', policy, client)).toBe('2000-02-29T00:00:00Z');
  });

  it('gives a time without a zone the configured default zone', () => {
    expect(checkAcquisitionTime('2024-03-01T10:15:00', policy, client)).toBe('2024-03-01T10:15:00+01:00');
    expect(checkAcquisitionTime('2024-03-01T10:15:00', { ...policy, defaultTimezoneOffset: 'Z' }, client)).toBe('2024-03-01T10:15:00Z');
  });

  it.each([
    ['2024-02-30T00:00:00Z', /calendar date/],
    ['2023-02-29T00:00:00Z', /calendar date/],
    ['1900-02-29T00:00:00Z', /calendar date/],
    ['2024-04-31T00:00:00Z', /calendar date/],
    ['2024-13-01T00:00:00Z', /calendar date/],
    ['2024-00-10T00:00:00Z', /calendar date/],
    ['2024-03-01T24:00:00Z', /clock time/],
    ['2024-03-01T10:60:00Z', /clock time/],
    ['2024-03-01T10:00:60Z', /clock time/],
    ['2024-03-01T10:00:00+14:30', /zone offset/],
    ['2024-03-01T10:00:00+01:75', /zone offset/],
    ['1895-11-07T23:00:00Z', /radiography/],
    ['0050-01-01T00:00:00Z', /radiography/],
    ['2024-03-05', /time of day/],
    ['yesterday', /ISO 8601/],
    ['2024-03-01 10:00:00Z', /ISO 8601/],
  ])('refuses %s with REQUEST.INVALID naming the field, without echoing the value', (value, why) => {
    const error = refusal(value);
    expect(error).toMatchObject({ code: 'REQUEST.INVALID', expression: ['acquired'] });
    expect(error.message).toMatch(why);
    expect(error.message).not.toContain(value);
  });

  it('allows the configured tolerance into the future, and no more', () => {
    expect(checkAcquisitionTime('2026-06-01T12:05:00Z', policy, client)).toBe('2026-06-01T12:05:00Z');
    expect(refusal('2026-06-01T12:05:01Z').message).toMatch(/future \(more than 300 s/);
    // The zone counts: 13:04 at +01:00 is 12:04Z.
    expect(checkAcquisitionTime('2026-06-01T13:04:00+01:00', policy, client)).toBe('2026-06-01T13:04:00+01:00');
    expect(refusal('2026-06-01T12:00:01Z', client, { ...policy, maxFutureSkewSeconds: 0 }).message).toMatch(/future/);
  });

  it('accepts header dates without a time (at their day), and says how to override them', () => {
    expect(checkAcquisitionTime('2024-03-01', policy, header)).toBe('2024-03-01');
    expect(checkAcquisitionTime('2024-03', policy, header)).toBe('2024-03');
    expect(checkAcquisitionTime('2026-06-01', policy, header)).toBe('2026-06-01');
    expect(refusal('2026-06-02', header).message).toMatch(/future.*give acquired/);
    expect(refusal('1895-01-01', header).message).toMatch(/radiography/);
  });
});
