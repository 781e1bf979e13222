import { isAppError } from '@brixia/common';
import { isoDate, isoDateTimeParts, isoOffset, isoTime, joinIsoDateTime, resolveDefaultOffset } from './dicom-datetime';

describe('DICOM date/time → ISO 8601', () => {
  it('converts DA, including the ACR-NEMA dotted form', () => {
    expect(isoDate('20240301')).toBe('2024-03-01');
    expect(isoDate('1993.02.24')).toBe('1993-02-24');
    expect(isoDate('20241301')).toBeUndefined();
    expect(isoDate('2024-03-01')).toBeUndefined();
  });

  it('reads dates that do not exist (30 February, 31 April, 29 February of a common year) as absent', () => {
    expect(isoDate('20240230')).toBeUndefined();
    expect(isoDate('20240431')).toBeUndefined();
    expect(isoDate('20230229')).toBeUndefined();
    expect(isoDate('20240229')).toBe('2024-02-29');
    expect(isoDate('20000229')).toBe('2000-02-29');
    expect(isoDate('19000229')).toBeUndefined();
    expect(isoDateTimeParts('20240230120000')).toBeUndefined();
  });

  it('converts TM with omitted components, fractions and the legacy colon form', () => {
    expect(isoTime('101500')).toBe('10:15:00');
    expect(isoTime('1015')).toBe('10:15:00');
    expect(isoTime('10')).toBe('10:00:00');
    expect(isoTime('120000.0000')).toBe('12:00:00.0000');
    expect(isoTime('17:58:00')).toBe('17:58:00');
    expect(isoTime('250000')).toBeUndefined();
  });

  it('converts DT with its own offset suffix', () => {
    expect(isoDateTimeParts('20240301101500')).toEqual({ date: '2024-03-01', time: '10:15:00', offset: undefined });
    expect(isoDateTimeParts('20240301101500.123+0100')).toEqual({ date: '2024-03-01', time: '10:15:00.123', offset: '+01:00' });
    expect(isoDateTimeParts('202403')).toEqual({ date: '2024-03', offset: undefined });
    expect(isoDateTimeParts('2024030110xx')).toBeUndefined();
  });

  it('attaches an offset only when there is a time', () => {
    expect(joinIsoDateTime({ date: '2024-03-01', time: '10:15:00' }, '-05:00')).toBe('2024-03-01T10:15:00-05:00');
    expect(joinIsoDateTime({ date: '2024-03-01', time: '10:15:00', offset: '+01:00' }, 'Z')).toBe('2024-03-01T10:15:00+01:00');
    expect(joinIsoDateTime({ date: '2024-03-01' }, '+02:00')).toBe('2024-03-01');
  });

  it('normalises offsets and rejects malformed defaults as configuration errors', () => {
    expect(isoOffset('+0100')).toBe('+01:00');
    expect(isoOffset('-04:30')).toBe('-04:30');
    expect(isoOffset('Z')).toBe('Z');
    expect(isoOffset('+2500')).toBeUndefined();
    expect(resolveDefaultOffset(undefined)).toBe('Z');
    let caught: unknown;
    try {
      resolveDefaultOffset('CET');
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe('CONFIG.INVALID');
  });
});
