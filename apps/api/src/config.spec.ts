import { loadConfig } from './config';

describe('intake configuration', () => {
  it('tolerates acquisition times up to 300 s ahead by default, and takes another tolerance', () => {
    expect(loadConfig({}).maxFutureSkewSeconds).toBe(300);
    expect(loadConfig({ BRIXIA_MAX_FUTURE_SKEW_S: '0' }).maxFutureSkewSeconds).toBe(0);
    expect(loadConfig({ BRIXIA_MAX_FUTURE_SKEW_S: '3600' }).maxFutureSkewSeconds).toBe(3600);
  });

  it.each(['-1', '1.5', 'soon', '86401'])('fails fast on BRIXIA_MAX_FUTURE_SKEW_S=%s', (value) => {
    expect(() => loadConfig({ BRIXIA_MAX_FUTURE_SKEW_S: value })).toThrow(/BRIXIA_MAX_FUTURE_SKEW_S/);
  });
});
