import { AppError } from '@brixia/common';

/**
 * One value of a query parameter or form field: undefined when absent, REQUEST.INVALID when given
 * more than once or not as text (Express parses `a=1&a=2` into an array, `a[b]=1` into an object).
 */
export function singleValue(source: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = source?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AppError('REQUEST.INVALID', `${name} must be given once`, { expression: [name] });
  return value;
}
