import { AppError, ERROR_TABLE, toAppError } from './errors';

describe('error table', () => {
  it('maps client mistakes to 4xx and never to 500', () => {
    const clientCodes = Object.entries(ERROR_TABLE).filter(([code]) => code.startsWith('REQUEST.') || code.startsWith('IMAGING.'));
    expect(clientCodes.length).toBeGreaterThan(5);
    for (const [code, spec] of clientCodes) {
      expect([code, spec.httpStatus >= 400 && spec.httpStatus < 500]).toEqual([code, true]);
    }
  });

  it('wraps unknown errors as INTERNAL and keeps AppErrors', () => {
    const original = new AppError('IMAGING.NOT_FRONTAL', 'lateral view');
    expect(toAppError(original)).toBe(original);
    const wrapped = toAppError(new Error('boom'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.message).toBe('Internal error');
    expect(wrapped.cause).toBeInstanceOf(Error);
  });
});
