// Deployment manifests: rendered and validated offline (no cluster needed).
module.exports = { ...require('../jest.preset.js'), displayName: 'deploy', rootDir: __dirname, testMatch: ['<rootDir>/**/*.spec.ts'] };
