import { outboxRetryDelay } from './deliver-outbox.use-case';

describe('outboxRetryDelay', () => {
  const policy = { retryPeriodMs: 48 * 3_600_000, baseDelayMs: 5000, maxDelayMs: 1_800_000 };

  it('doubles per attempt within [d/2, d] and stops at the cap', () => {
    expect(outboxRetryDelay(1, policy, () => 0)).toBe(2500);
    expect(outboxRetryDelay(1, policy, () => 1)).toBe(5000);
    expect(outboxRetryDelay(4, policy, () => 1)).toBe(40_000);
    expect(outboxRetryDelay(4, policy, () => 0)).toBe(20_000);
    expect(outboxRetryDelay(30, policy, () => 1)).toBe(1_800_000);
    expect(outboxRetryDelay(500, policy, () => 0.5)).toBe(1_350_000);
  });
});
