// Shared Jest settings: SWC transpiles TypeScript (with decorator metadata for Nest),
// and the tsconfig path aliases (@brixia/*) map to the libs' sources.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;
const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/\//g, '\\/')}$`] = path.join(root, target);
}
const swcrc = JSON.parse(require('node:fs').readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = {
  // onnxruntime-node needs the host's typed arrays inside the test realm (see the file).
  testEnvironment: path.join(root, 'tools/jest-ort-environment.js'),
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  setupFiles: [path.join(root, 'tools/jest-setup.js')],
  // Jest's 5 s default fails specs that decode with codecs, load the R4 definitions (≈ 1–2 s idle) or open
  // PostgreSQL when the 2 CI cores are shared: the heaviest took 14 s at load average 25. 120 s per test or
  // hook; a spec that needs more (the real model) says so itself. (When jest.config.js runs the projects,
  // its own testTimeout applies: Jest reads this option globally.)
  testTimeout: 120_000,
};
