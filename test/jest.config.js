// End-to-end tests: the app + worker over HTTP against real PostgreSQL, embedded PGlite and the real model.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  // Each test starts services and runs the real model. The heaviest (upload, explanations, occlusion with
  // 9 model runs) took 75 s with the 2 cores shared at load average 22, ≈ 10 s idle: 300 s per test or hook.
  testTimeout: 300_000,
  maxWorkers: 1,
};
