import { AppError } from '@brixia/common';

/**
 * DICOM DA/TM/DT (PS3.5 table 6.2-1) to ISO 8601. Also accepts the ACR-NEMA forms still found in old CR
 * files ("1995.07.20", "11:23:05"). Returns undefined for values that do not parse, so the caller can fall
 * back to the next source.
 */

const OFFSET = /^([+-])(\d{2}):?(\d{2})$/;

/** '+0100' | '+01:00' | 'Z' → ISO offset ('+01:00' | 'Z'); undefined when malformed or out of range. */
export function isoOffset(value: string): string | undefined {
  const text = value.trim();
  if (text === 'Z' || text === 'z') return 'Z';
  const match = OFFSET.exec(text);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 14 || minutes > 59) return undefined;
  return `${match[1]}${match[2]}:${match[3]}`;
}

/** Validates options.defaultTimezoneOffset once; a bad value is a configuration error, not bad bytes. */
export function resolveDefaultOffset(value: string | undefined): string {
  if (value === undefined) return 'Z';
  const offset = isoOffset(value);
  if (offset === undefined) {
    throw new AppError('CONFIG.INVALID', 'defaultTimezoneOffset must be Z, ±HH:MM or ±HHMM', { details: { value } });
  }
  return offset;
}

/** A date that exists: month 1–12, day within its month (29 February only in leap years). */
function validDate(year: string, month?: string, day?: string): boolean {
  if (month !== undefined && (Number(month) < 1 || Number(month) > 12)) return false;
  if (day !== undefined && (Number(day) < 1 || Number(day) > daysInMonth(Number(year), Number(month)))) return false;
  return Number(year) >= 1;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; setUTCFullYear keeps years below 100 as written.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** DA → 'YYYY-MM-DD'. */
export function isoDate(da: string): string | undefined {
  const match = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(da.trim());
  if (!match || !validDate(match[1], match[2], match[3])) return undefined;
  return `${match[1]}-${match[2]}-${match[3]}`;
}

function isoClock(hours: string, minutes = '00', seconds = '00', fraction?: string): string | undefined {
  // Seconds may be 60 for a leap second (PS3.5); ISO 8601 allows it too.
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 60) return undefined;
  return `${hours}:${minutes}:${seconds}${fraction ? `.${fraction}` : ''}`;
}

/** TM → 'HH:MM:SS[.ffffff]'; omitted trailing components are zero (FHIR dateTime needs seconds). */
export function isoTime(tm: string): string | undefined {
  const text = tm.trim();
  const modern = /^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$/.exec(text);
  if (modern) return modern[4] !== undefined && modern[3] === undefined ? undefined : isoClock(modern[1], modern[2], modern[3], modern[4]);
  const legacy = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  return legacy ? isoClock(legacy[1], legacy[2], legacy[3], legacy[4]) : undefined;
}

export interface IsoDateTimeParts {
  /** 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'. */
  readonly date: string;
  readonly time?: string;
  /** The DT value's own "&ZZXX" suffix, when present. */
  readonly offset?: string;
}

/** DT → parts; 'YYYY[MM[DD[HH[MM[SS[.F]]]]]][&ZZXX]'. */
export function isoDateTimeParts(dt: string): IsoDateTimeParts | undefined {
  const match = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?([+-]\d{4})?$/.exec(dt.trim());
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, seconds, fraction, suffix] = match;
  if (!validDate(year, month, day)) return undefined;
  if (fraction !== undefined && seconds === undefined) return undefined;
  const date = [year, month, day].filter((part) => part !== undefined).join('-');
  const offset = suffix === undefined ? undefined : isoOffset(suffix);
  if (suffix !== undefined && offset === undefined) return undefined;
  if (hours === undefined) return { date, offset };
  if (day === undefined) return undefined;
  const time = isoClock(hours, minutes, seconds, fraction);
  return time === undefined ? undefined : { date, time, offset };
}

/**
 * Joins date, time and offset. Without a time the result is a bare date: an offset on a date alone is
 * not ISO 8601, and FHIR dateTime only allows (and then requires) a zone when a time is given.
 */
export function joinIsoDateTime(parts: IsoDateTimeParts, offset: string): string {
  if (parts.time === undefined) return parts.date;
  return `${parts.date}T${parts.time}${parts.offset ?? offset}`;
}
