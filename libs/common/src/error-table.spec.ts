import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ERROR_TABLE, type ErrorCode } from './errors';

/**
 * The error table must not rot: every code in it is raised somewhere in the service's own source, so the
 * table lists what a client can actually receive. A static scan (a quoted code in apps/ or libs/ source
 * outside this table; specs and test fixtures excluded) is enough: an unused code has no literal at all.
 */
const REPOSITORY = resolve(__dirname, '../../..');
const TABLE_FILE = resolve(__dirname, 'errors.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'testing' ? [] : sourceFiles(path);
    const isSource = /\.tsx?$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts');
    return isSource && path !== TABLE_FILE ? [path] : [];
  });
}

describe('ERROR_TABLE', () => {
  const files = ['apps', 'libs'].flatMap((dir) => sourceFiles(join(REPOSITORY, dir)));
  const source = files.map((file) => readFileSync(file, 'utf8')).join('\n');

  it('scans the service source', () => {
    expect(files.map((file) => relative(REPOSITORY, file))).toEqual(
      expect.arrayContaining([join('libs', 'fhir', 'src', 'operation-outcome.ts'), join('apps', 'api', 'src', 'runtime.ts')]),
    );
  });

  it('has no code that apps/ or libs/ never raise', () => {
    const unused = (Object.keys(ERROR_TABLE) as ErrorCode[]).filter((code) => !source.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });
});
