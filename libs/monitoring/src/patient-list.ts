import { AppError } from '@brixia/common';
import type { Trend } from './monitoring-rules';

/** Keyset position in the patient list (latest score desc, trend rank, patient id). */
export interface PatientCursor {
  readonly latestGlobal: number;
  readonly trendRank: number;
  readonly patientId: string;
}

/** Opaque cursor: base64url of the keyset position. */
export function encodeCursor(cursor: PatientCursor): string {
  return Buffer.from(JSON.stringify([cursor.latestGlobal, cursor.trendRank, cursor.patientId])).toString('base64url');
}

/** Reads a cursor made by encodeCursor; anything else is REQUEST.INVALID. */
export function decodeCursor(value: string): PatientCursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && Number.isInteger(parsed[0]) && Number.isInteger(parsed[1]) && typeof parsed[2] === 'string') {
      return { latestGlobal: parsed[0] as number, trendRank: parsed[1] as number, patientId: parsed[2] };
    }
  } catch {
    // fall through to the typed error below
  }
  throw new AppError('REQUEST.INVALID', 'The cursor is not one this service issued', { expression: ['after'] });
}

/** Filters of the patient list. */
export interface PatientFilter {
  readonly trends?: readonly Trend[];
  readonly minLatestScore?: number;
  readonly maxLatestScore?: number;
  /** true: with active alerts only; false: without. */
  readonly hasActiveAlerts?: boolean;
  /** Patients whose id starts with this (case-sensitive, like FHIR ids). */
  readonly patientIdPrefix?: string;
}

export const MAX_PAGE_SIZE = 100;

/** Checks page size and score bounds (REQUEST.INVALID with the argument's name). */
export function checkListArguments(first: number, filter: PatientFilter): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new AppError('REQUEST.INVALID', `first must be an integer 1–${MAX_PAGE_SIZE}`, { expression: ['first'] });
  }
  if (filter.patientIdPrefix !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(filter.patientIdPrefix)) {
    throw new AppError('REQUEST.INVALID', 'patientIdPrefix must be the start of a FHIR id', { expression: ['filter.patientIdPrefix'] });
  }
  for (const [name, value] of [['minLatestScore', filter.minLatestScore], ['maxLatestScore', filter.maxLatestScore]] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 18)) {
      throw new AppError('REQUEST.INVALID', `${name} must be an integer 0–18`, { expression: [`filter.${name}`] });
    }
  }
}
