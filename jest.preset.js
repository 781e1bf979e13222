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
};
