import { AppError } from '@brixia/common';

/** One bound of a date search, resolved to an instant. */
export interface DateBound {
  readonly op: 'ge' | 'lt';
  readonly at: Date;
}

/**
 * A FHIR date search value as instant bounds (http://hl7.org/fhir/R4/search.html#date): the value is
 * a range at its precision (a day, a month…); eq = within it, ge/gt/le/lt compare with its edges.
 * Throws REQUEST.INVALID naming `param` when the value is not a date.
 */
export function parseDateSearch(value: string, param: string): DateBound[] {
  const match = /^(eq|ge|gt|le|lt)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?)$/.exec(value);
  if (!match) throw new AppError('REQUEST.INVALID', `${param} must be [eq|ge|gt|le|lt]YYYY[-MM[-DD[Thh:mm[:ss]zone]]]`, { expression: [param] });
  const prefix = (match[1] ?? 'eq') as 'eq' | 'ge' | 'gt' | 'le' | 'lt';
  const [start, end] = dateRange(match[2], param);
  switch (prefix) {
    case 'eq':
      return [{ op: 'ge', at: start }, { op: 'lt', at: end }];
    case 'ge':
      return [{ op: 'ge', at: start }];
    case 'gt':
      return [{ op: 'ge', at: end }];
    case 'le':
      return [{ op: 'lt', at: end }];
    case 'lt':
      return [{ op: 'lt', at: start }];
  }
}

/** [start, end) of a FHIR date/dateTime at its precision (dates without a zone are taken as UTC). */
function dateRange(text: string, param: string): [Date, Date] {
  if (text.includes('T')) {
    const at = new Date(text);
    if (Number.isNaN(at.getTime())) throw new AppError('REQUEST.INVALID', `${param} ${text} is not a valid date-time`, { expression: [param] });
    const hasSeconds = /T\d{2}:\d{2}:\d{2}/.test(text);
    return [at, new Date(at.getTime() + (hasSeconds ? 1000 : 60_000))];
  }
  const [year, month, day] = text.split('-').map(Number);
  const start = new Date(Date.UTC(year, (month ?? 1) - 1, day ?? 1));
  // Date.UTC rolls 2024-13-45 over into 2025: a value that does not round-trip is not a date.
  if (start.getUTCMonth() !== (month ?? 1) - 1 || start.getUTCDate() !== (day ?? 1)) {
    throw new AppError('REQUEST.INVALID', `${param} ${text} is not a calendar date`, { expression: [param] });
  }
  const end = day !== undefined ? new Date(Date.UTC(year, month - 1, day + 1)) : month !== undefined ? new Date(Date.UTC(year, month, 1)) : new Date(Date.UTC(year + 1, 0, 1));
  return [start, end];
}
