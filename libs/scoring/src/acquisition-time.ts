import { AppError } from '@brixia/common';

/** What an acquisition time is checked against: the service's clock, its tolerance and its default zone. */
export interface AcquisitionTimePolicy {
  readonly now: Date;
  /** How far ahead of `now` a time may lie (modality clocks drift); BRIXIA_MAX_FUTURE_SKEW_S. */
  readonly maxFutureSkewSeconds: number;
  /** 'Z' or '±HH:MM' (BRIXIA_DEFAULT_TIMEZONE), given to a time that carries no zone. */
  readonly defaultTimezoneOffset: string;
}

export interface AcquisitionTimeSource {
  /** Where the value came from, for OperationOutcome.issue.expression. */
  readonly field: string;
  /** How the message names the value ("acquired", "The image's acquisition time"). */
  readonly label: string;
  /** A DICOM header may carry only a date (or a year, a month); a client's `acquired` must carry a time. */
  readonly allowDateOnly: boolean;
  /** Appended to refusals, e.g. how to override a header value. */
  readonly hint?: string;
}

// Röntgen's first radiographs (8 November 1895): anything earlier cannot be an acquisition time.
const EARLIEST = Date.UTC(1895, 10, 8);

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Checks that an acquisition time is a real calendar instant — a date that exists (no 30 February, 29 February
 * only in leap years), a clock time within 00:00:00–23:59:59, a zone within ±14:00 — no earlier than
 * radiography and no further in the future than the policy's tolerance. Returns it as a FHIR dateTime
 * (http://hl7.org/fhir/R4/datatypes.html#dateTime: a time needs seconds and a zone): missing seconds
 * become :00 and a missing zone becomes the configured default. Throws REQUEST.INVALID naming the field;
 * messages never repeat the value (a date can identify a patient).
 */
export function checkAcquisitionTime(value: string, policy: AcquisitionTimePolicy, source: AcquisitionTimeSource): string {
  const refuse = (why: string): never => {
    throw new AppError('REQUEST.INVALID', `${source.label} ${why}${source.hint ? `; ${source.hint}` : ''}`, { expression: [source.field] });
  };
  const match = ISO.exec(value.trim());
  if (!match) refuse('must be an ISO 8601 date-time, e.g. 2024-03-01T10:15:00Z');
  const [, year, month, day, hours, minutes, seconds, fraction, zone] = match as RegExpExecArray;
  if (hours === undefined && !source.allowDateOnly) refuse('must carry a time of day, e.g. 2024-03-01T10:15:00Z');
  const y = Number(year);
  // Before Date.UTC, which reads years 0–99 as 1900–1999.
  if (y < 1895) refuse('is earlier than radiography (1895)');
  const m = month === undefined ? 1 : Number(month);
  const d = day === undefined ? 1 : Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) refuse('is not a calendar date');
  if (hours !== undefined && (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? '0') > 59)) refuse('is not a clock time (00:00:00–23:59:59)');
  const offset = zone ?? (hours === undefined ? undefined : policy.defaultTimezoneOffset);
  const offsetMinutes = offset === undefined ? 0 : parseOffsetMinutes(offset);
  if (offsetMinutes === undefined) refuse('has a zone offset beyond ±14:00');

  const normalized = hours === undefined ? value.trim() : `${year}-${month}-${day}T${hours}:${minutes}:${seconds ?? '00'}${fraction ?? ''}${offset}`;
  // The start of the value's period (a day, a month…) as an instant: a date-only value is "not in the future" until its day begins.
  const wallClock = Date.UTC(y, m - 1, d, Number(hours ?? 0), Number(minutes ?? 0), Number(seconds ?? 0));
  const instant = wallClock - (offsetMinutes as number) * 60_000;
  if (instant < EARLIEST) refuse('is earlier than radiography (1895)');
  if (instant > policy.now.getTime() + policy.maxFutureSkewSeconds * 1000) {
    refuse(`lies in the future (more than ${policy.maxFutureSkewSeconds} s ahead of this service's clock)`);
  }
  return normalized;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one (proleptic Gregorian, as ISO 8601).
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 'Z' | '±HH:MM' → minutes east of UTC; undefined beyond ±14:00 (ISO 8601 / the tz database's range). */
function parseOffsetMinutes(offset: string): number | undefined {
  if (offset === 'Z') return 0;
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) return undefined;
  const total = Number(match[2]) * 60 + Number(match[3]);
  if (Number(match[3]) > 59 || total > 14 * 60) return undefined;
  return match[1] === '-' ? -total : total;
}
