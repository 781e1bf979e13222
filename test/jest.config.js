// End-to-end tests: the app + worker over HTTP against real PostgreSQL, embedded PGlite and the real model.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  testTimeout: 120_000,
  maxWorkers: 1,
};
