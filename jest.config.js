// Unit (*.spec.ts) and integration (*.int-spec.ts) tests of every lib and app, in one run.
// End-to-end tests live in test/ (test/jest.config.js).
module.exports = {
  projects: ['<rootDir>/libs/*/jest.config.js', '<rootDir>/apps/*/jest.config.js', '<rootDir>/deploy/jest.config.js'],
};
