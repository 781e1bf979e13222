import { parseCliArgs } from './cli-args';
import { jsonLine, tableText, type FileResult } from './score-output';

describe('parseCliArgs', () => {
  it('reads files and options', () => {
    expect(parseCliArgs(['score', 'a.dcm', 'b.png', '--json', '--provider', 'webgpu', '--model-dir', '/m'])).toEqual({
      kind: 'score',
      files: ['a.dcm', 'b.png'],
      json: true,
      executionProviders: ['webgpu', 'cpu'],
      modelDir: '/m',
      verbose: false,
    });
    expect(parseCliArgs(['score', 'a.png'])).toMatchObject({ json: false, executionProviders: ['cpu'], modelDir: undefined });
  });

  it.each([
    [[]],
    [['score']],
    [['rate', 'a.png']],
    [['score', 'a.png', '--provider', 'cuda']],
    [['score', 'a.png', '--colour']],
  ])('reports %j as a usage error', (argv) => {
    expect(parseCliArgs(argv).kind).toBe('usage-error');
  });

  it('reads --progress / --no-progress, and leaves it to the terminal otherwise', () => {
    expect(parseCliArgs(['score', 'a.png', '--progress'])).toMatchObject({ progress: true });
    expect(parseCliArgs(['score', 'a.png', '--no-progress'])).toMatchObject({ progress: false });
    expect(parseCliArgs(['score', 'a.png'])).not.toHaveProperty('progress');
  });

  it('reads the sample command with one folder', () => {
    expect(parseCliArgs(['sample', 'tour'])).toEqual({ kind: 'sample', dir: 'tour' });
    expect(parseCliArgs(['sample']).kind).toBe('usage-error');
    expect(parseCliArgs(['sample', 'a', 'b']).kind).toBe('usage-error');
  });

  it('answers --help', () => {
    expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
  });
});

describe('output', () => {
  const identity = { name: 'bsnet', version: '0.1.0', sha256: 'ab'.repeat(32), preprocessingId: 'bsnet-v1' };
  const p = [0.1, 0.2, 0.3, 0.4] as const;
  const ok: FileResult = {
    file: 'a.png',
    ok: true,
    scoring: { zones: { A: 3, B: 3, C: 3, D: 0, E: 1, F: 2 }, global: 12, probabilities: { A: p, B: p, C: p, D: p, E: p, F: p } },
  };
  const failed: FileResult = { file: 'b.bin', ok: false, error: { code: 'IMAGING.NOT_AN_IMAGE', message: 'Not an image' } };

  it('writes the JSON line contract', () => {
    expect(JSON.parse(jsonLine(ok, identity))).toEqual({
      file: 'a.png',
      zones: { A: 3, B: 3, C: 3, D: 0, E: 1, F: 2 },
      global: 12,
      probabilities: { A: p, B: p, C: p, D: p, E: p, F: p },
      model: { version: '0.1.0', sha256: identity.sha256 },
    });
    expect(JSON.parse(jsonLine(failed, identity))).toEqual({ file: 'b.bin', error: { code: 'IMAGING.NOT_AN_IMAGE', message: 'Not an image' } });
  });

  it('writes a table row per file', () => {
    const text = tableText([ok, failed], identity, 'cpu');
    expect(text).toContain('a.png  3 3 3 0 1 2      12');
    expect(text).toContain('b.bin  -----------  IMAGING.NOT_AN_IMAGE');
    expect(text).toContain('bsnet 0.1.0');
  });
});
