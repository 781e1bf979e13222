// End-to-end tests: the app + worker over HTTP against real PostgreSQL, embedded PGlite and the real model.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  // Each test starts services and runs the real model: most take 1–25 s with the 2 cores shared at load
  // average 22–25 (≈ 10× their idle cost), so 300 s per test or hook; heavier tests say so themselves.
  testTimeout: 300_000,
  maxWorkers: 1,
};
