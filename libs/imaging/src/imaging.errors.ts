import { AppError, isAppError } from '@brixia/common';

/** The codes decoding may surface; anything else thrown while reading bytes is reported as UNREADABLE. */
export type ImagingErrorCode =
  | 'IMAGING.NOT_AN_IMAGE'
  | 'IMAGING.UNREADABLE'
  | 'IMAGING.UNSUPPORTED_TRANSFER_SYNTAX'
  | 'IMAGING.NO_PIXELS'
  | 'IMAGING.NOT_FRONTAL';

export function imagingError(code: ImagingErrorCode, message: string, cause?: unknown, details?: Record<string, unknown>): AppError {
  return new AppError(code, message, { cause, details });
}

/**
 * Parsers and codecs throw strings, numbers, WASM aborts and RangeErrors on damaged input; callers are
 * promised AppErrors only, so everything that is not already one becomes IMAGING.UNREADABLE.
 */
export function asUnreadable(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  return imagingError('IMAGING.UNREADABLE', `The ${what} could not be read`, cause);
}
