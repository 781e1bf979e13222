import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { makeDicomFixture, makeRasterFixture, seededRandom } from '@brixia/imaging/testing';
import { DEFAULT_MODEL_DIR } from '@brixia/inference';

// Each test runs the CLI as a child process that compiles on the fly and loads the real model (a few
// seconds idle, several times that on loaded CI cores).
jest.setTimeout(180_000);

// End to end: the CLI as a child process, on generated PNGs, with the committed model.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const MODEL_DIR = DEFAULT_MODEL_DIR;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', './tools/register.js', 'apps/cli/src/main.ts', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

/** Uniform noise: no lungs for the model's own mask to find. */
function noisePng(width: number, height: number, seed: number): Promise<Buffer> {
  const random = seededRandom(seed);
  const pixels = Buffer.from(Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256)));
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

describe('brixia score (end to end)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'brixia-cli-'));
    // The chest-like synthetic radiograph of the e2e tests: it must pass the input gate.
    await writeFile(path.join(dir, 'first.png'), await makeRasterFixture({ format: 'png', width: 640, height: 560, seed: 1 }));
    await writeFile(path.join(dir, 'second.png'), await makeRasterFixture({ format: 'png', width: 480, height: 512, seed: 3 }));
    await writeFile(path.join(dir, 'noise.png'), await noisePng(512, 512, 7));
    await writeFile(path.join(dir, 'tiny.png'), await makeRasterFixture({ format: 'png', width: 1, height: 1 }));
    await writeFile(path.join(dir, 'leg.dcm'), await makeDicomFixture({ width: 320, height: 320, overrides: { BodyPartExamined: 'EXTREMITY' } }));
    await writeFile(path.join(dir, 'garbage.bin'), Buffer.from('this is not a radiograph'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON line per file, an error line for the garbage, and exits 1', async () => {
    const files = ['first.png', 'garbage.bin', 'second.png'].map((f) => path.join(dir, f));
    const { code, stdout, stderr } = await runCli(['score', ...files, '--json']);
    const manifest = JSON.parse(await readFile(path.join(MODEL_DIR, 'manifest.json'), 'utf8'));
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(code).toBe(1);
    expect(lines.map((l) => l.file)).toEqual(files);
    for (const result of [lines[0], lines[2]]) {
      expect(Object.keys(result.zones)).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
      expect(result.global).toBe(Object.values(result.zones as Record<string, number>).reduce((a, b) => a + b, 0));
      expect(result.probabilities.A).toHaveLength(4);
      expect(result.model).toEqual({ version: manifest.version, sha256: manifest.sha256 });
    }
    expect(lines[1].error.code).toMatch(/^IMAGING\./);
    expect(typeof lines[1].error.message).toBe('string');
    expect(stderr).toContain(`error: ${files[1]}: ${lines[1].error.message}`);
  });

  it('refuses what the service refuses, with the same code (the shared input gate)', async () => {
    const files = ['noise.png', 'tiny.png', 'leg.dcm', 'first.png'].map((f) => path.join(dir, f));
    const { code, stdout } = await runCli(['score', ...files, '--json']);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(code).toBe(1);
    expect(lines.map((l) => l.error?.code)).toEqual(['IMAGE.NOT_A_CHEST_RADIOGRAPH', 'IMAGE.NOT_A_CHEST_RADIOGRAPH', 'IMAGE.NOT_A_CHEST_RADIOGRAPH', undefined]);
    expect(lines[0].error.message).toMatch(/^Not a frontal chest radiograph: the /);
    expect(lines[1].error.message).toMatch(/short side/);
    expect(lines[2].error.message).toMatch(/BodyPartExamined EXTREMITY/);
    expect(lines[3].global).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it('prints a table without --json and exits 0 when every file scores', async () => {
    const { code, stdout } = await runCli(['score', path.join(dir, 'first.png')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/FILE\s+A B C D E F\s+GLOBAL/);
    expect(stdout).toContain('first.png');
  });

  it('shows progress on stderr with --progress and keeps the table on stdout', async () => {
    const files = ['first.png', 'second.png'].map((f) => path.join(dir, f));
    const { code, stdout, stderr } = await runCli(['score', ...files, '--progress']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/brixia: loading the model…\nbrixia: model bsnet [\d.]+ loaded in [\d.]+ s \(cpu\)\n/);
    expect(stderr).toMatch(/brixia: 1 of 2 files scored, about .+ left\n/);
    expect(stderr).toContain('brixia: 2 of 2 files scored\n');
    const rows = stdout.split('\n');
    expect(rows[0]).toMatch(/^FILE\s+A B C D E F\s+GLOBAL$/);
    expect(rows[1]).toContain('first.png');
    expect(rows[2]).toContain('second.png');
    expect(stdout).not.toContain('brixia:');
  }, 120_000);

  it('writes a synthetic sample study (DICOM + PNG) that the scorer accepts', async () => {
    const sampleDir = path.join(dir, 'tour');
    const written = await runCli(['sample', sampleDir]);
    expect(written.code).toBe(0);
    const paths = written.stdout.trim().split('\n');
    expect(paths).toEqual([path.join(sampleDir, 'sample-chest.dcm'), path.join(sampleDir, 'sample-chest.png')]);
    const dicom = await readFile(paths[0]);
    expect(dicom.subarray(128, 132).toString('latin1')).toBe('DICM');
    const { code, stdout } = await runCli(['score', ...paths, '--json']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((l) => typeof l.global)).toEqual(['number', 'number']);
  }, 120_000);

  it('exits 2 with the usage text on a usage error', async () => {
    const { code, stdout, stderr } = await runCli(['score', '--provider', 'tpu', 'x.png']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: brixia score');
  });
});
