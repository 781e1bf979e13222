import { decideMetricsAccess } from './metrics-access';

describe('decideMetricsAccess', () => {
  it('is open when enabled without a token, closed when disabled', () => {
    expect(decideMetricsAccess({ enabled: true }, undefined)).toBe('allow');
    expect(decideMetricsAccess({ enabled: false }, 'Bearer x')).toBe('disabled');
  });

  it('wants the exact bearer token when one is set', () => {
    const access = { enabled: true, token: 'a-metrics-token-of-some-length' };
    expect(decideMetricsAccess(access, 'Bearer a-metrics-token-of-some-length')).toBe('allow');
    expect(decideMetricsAccess(access, 'bearer a-metrics-token-of-some-length')).toBe('allow');
    expect(decideMetricsAccess(access, 'Bearer a-metrics-token-of-some-lengtX')).toBe('unauthorized');
    expect(decideMetricsAccess(access, 'Bearer short')).toBe('unauthorized');
    expect(decideMetricsAccess(access, undefined)).toBe('unauthorized');
  });
});
