import { AppError } from '@brixia/common';
import { failureDispositionOf } from './scoring-failure';

describe('failureDispositionOf', () => {
  const tries = (retryCount: number): { retryCount: number; retryLimit: number } => ({ retryCount, retryLimit: 4 });

  it('retries a retryable code until the last try (pg-boss: retryCount 0 is the first of retryLimit + 1 tries), then fails the Task', () => {
    const outage = new AppError('UPSTREAM.UNAVAILABLE', 'PACS unavailable');
    expect([0, 1, 2, 3].map((count) => failureDispositionOf(outage, tries(count)))).toEqual(['retry', 'retry', 'retry', 'retry']);
    expect(failureDispositionOf(outage, tries(4))).toBe('fail-task');
    expect(failureDispositionOf(new AppError('INTERNAL', 'unexpected'), tries(0))).toBe('retry');
    expect(failureDispositionOf(outage, { retryCount: 0, retryLimit: 0 })).toBe('fail-task');
  });

  it('fails the Task at once for a code no retry can help', () => {
    for (const code of ['IMAGING.MISSING_PATIENT', 'IMAGE.NOT_A_CHEST_RADIOGRAPH', 'IMAGING.NO_PIXELS', 'IMAGING.MISSING_ACQUISITION_TIME'] as const) {
      expect(failureDispositionOf(new AppError(code, 'refused'), tries(0))).toBe('fail-task');
    }
  });
});
