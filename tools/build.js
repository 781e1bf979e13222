// Compiles the service to plain CommonJS in dist/ (what the container image runs: no transpiling at
// start). SWC with the same settings as tools/register.js and Jest (.swcrc: decorator metadata for
// Nest, dynamic import() kept for ESM-only packages), and jsc.paths rewrites the @brixia/* aliases of
// tsconfig.base.json into relative requires. Tests, fixtures and Python tooling are left out; the
// dashboard's sources and the model files are copied (the dashboard is transpiled per request).
//   node tools/build.js [--out dist]
const fs = require('node:fs');
const path = require('node:path');
const { transformFileSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const outIndex = process.argv.indexOf('--out');
const out = path.resolve(root, outIndex > 0 ? process.argv[outIndex + 1] : 'dist');
const swcrc = JSON.parse(fs.readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

const SOURCES = ['apps/api/src', 'apps/cli/src', 'libs', 'migrations'];
const SKIP = /(\.spec\.ts|\.int-spec\.ts|\.e2e-spec\.ts|\.spec-helper\.ts|\.d\.ts)$/;
const COPY = [
  ['apps/dashboard/src', 'apps/dashboard/src'],
  ['models/bsnet/0.2.0/manifest.json', 'models/bsnet/0.2.0/manifest.json'],
  ['models/bsnet/0.2.0/model.onnx', 'models/bsnet/0.2.0/model.onnx'],
];

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'testing') yield* walk(full);
    } else if (entry.name.endsWith('.ts') && !SKIP.test(entry.name)) {
      yield full;
    }
  }
}

fs.rmSync(out, { recursive: true, force: true });
let count = 0;
for (const source of SOURCES) {
  for (const file of walk(path.join(root, source))) {
    const relative = path.relative(root, file);
    const target = path.join(out, relative.replace(/\.ts$/, '.js'));
    const { code, map } = transformFileSync(file, {
      ...swcrc,
      swcrc: false,
      filename: file,
      sourceMaps: true,
      sourceFileName: path.relative(path.dirname(target), file),
      jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
    });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    if (map) fs.writeFileSync(`${target}.map`, map);
    count++;
  }
}
for (const [from, to] of COPY) fs.cpSync(path.join(root, from), path.join(out, to), { recursive: true });
process.stdout.write(`compiled ${count} files to ${path.relative(root, out) || '.'}\n`);
