import { isLastTry, retryDelayMs, type RetryPolicy } from './retry-policy';

describe('isLastTry', () => {
  const byTries: RetryPolicy = { maxAttempts: 5, retryPeriodMs: Infinity, baseDelayMs: 2000, maxDelayMs: Infinity };
  const byPeriod: RetryPolicy = { maxAttempts: Infinity, retryPeriodMs: 3_600_000, baseDelayMs: 5000, maxDelayMs: 1_800_000 };

  it('ends a count-bounded loop on its maxAttempts-th try', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => isLastTry(byTries, { attempts }))).toEqual([false, false, false, false, true, true]);
  });

  it('ends a period-bounded loop once the work is retryPeriodMs old, whatever the tries', () => {
    expect(isLastTry(byPeriod, { attempts: 1000, ageMs: 3_599_999 })).toBe(false);
    expect(isLastTry(byPeriod, { attempts: 1, ageMs: 3_600_000 })).toBe(true);
    expect(isLastTry(byPeriod, { attempts: 1 })).toBe(false);
  });

  it('a single-try policy has no retry', () => {
    expect(isLastTry({ maxAttempts: 1, retryPeriodMs: Infinity }, { attempts: 1 })).toBe(true);
  });
});

describe('retryDelayMs', () => {
  it('doubles per try within [d/2, d] and stops at the cap', () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 10_000 };
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(10, policy, () => 1)).toBe(10_000);
    expect(retryDelayMs(10, policy, () => 0)).toBe(5000);
  });
});
