module.exports = { ...require('../../jest.preset.js'), displayName: 'imaging', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] };
