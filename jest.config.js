// Unit (*.spec.ts) and integration (*.int-spec.ts) tests of every lib and app, in one run.
// End-to-end tests live in test/ (test/jest.config.js).
module.exports = {
  // testTimeout is a global option: the projects' own (jest.preset.js) applies only when a project's
  // config is run directly. Why 120 s: see jest.preset.js; specs that run the model set more themselves.
  testTimeout: 120_000,
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/apps/*/jest.config.js', '<rootDir>/deploy/jest.config.js'],
};
