import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isAppError } from '@brixia/common';
import { MODEL_INPUT_SIZE, PREPROCESSING_ID, equalisationLut, preprocessForBsnet } from './bsnet-preprocess';
import { triangleAxisWeights } from './triangle-resample';

/** Golden vectors written by the Python reference (models/bsnet/<version>/golden/preprocess/*.json). */
interface GoldenCase {
  readonly preprocessingId: string;
  readonly case: string;
  readonly input: { width: number; height: number; dtype: 'uint8'; encoding: 'gzip+base64'; data: string };
  readonly output: { width: number; height: number; dtype: 'float32le'; encoding: 'gzip+base64'; data: string };
  readonly tolerance: { maxAbs: number; maxFractionOfPixelsOffByOneLevel: number };
}

const MODELS_DIR = resolve(__dirname, '../../../../models/bsnet');
// A local: under Jest's sandboxed globals each Math.abs lookup in a 262k-pixel loop is slow.
const { abs } = Math;

/** Every golden preprocessing file of every model release whose manifest uses this preprocessing. */
function goldenFiles(): string[] {
  const files: string[] = [];
  for (const version of readdirSync(MODELS_DIR)) {
    const manifestPath = join(MODELS_DIR, version, 'manifest.json');
    const folder = join(MODELS_DIR, version, 'golden', 'preprocess');
    if (!existsSync(manifestPath) || !existsSync(folder)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { preprocessingId?: string };
    if (manifest.preprocessingId !== PREPROCESSING_ID) continue;
    for (const name of readdirSync(folder).filter((n) => n.endsWith('.json'))) files.push(join(folder, name));
  }
  return files;
}

function unpack(data: string): Buffer {
  return gunzipSync(Buffer.from(data, 'base64'));
}

describe('preprocessForBsnet (bsnet-v1)', () => {
  const files = goldenFiles();

  it('finds the golden vectors of the Python reference', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it.each(files.map((file) => [file.split('/').slice(-4).join('/'), file]))('reproduces %s', (_name, file) => {
    const golden = JSON.parse(readFileSync(file, 'utf8')) as GoldenCase;
    expect(golden.preprocessingId).toBe(PREPROCESSING_ID);
    const pixels = new Uint8Array(unpack(golden.input.data));
    const outputBytes = unpack(golden.output.data);
    const expected = new Float32Array(outputBytes.buffer, outputBytes.byteOffset, outputBytes.length / 4);
    expect(expected.length).toBe(MODEL_INPUT_SIZE * MODEL_INPUT_SIZE);

    const actual = preprocessForBsnet({ width: golden.input.width, height: golden.input.height, pixels });

    expect(actual).toBeInstanceOf(Float32Array);
    expect(actual.length).toBe(expected.length);
    // Pixels beyond maxAbs may only come from a level flipped by float summation order (numpy's matmul vs
    // our loop), which moves a few whole LUT levels; the file bounds their share.
    let beyond = 0;
    let sumAbs = 0;
    for (let i = 0; i < actual.length; i++) {
      const difference = abs(actual[i] - expected[i]);
      sumAbs += difference;
      if (difference > golden.tolerance.maxAbs) beyond++;
    }
    expect(beyond / actual.length).toBeLessThanOrEqual(golden.tolerance.maxFractionOfPixelsOffByOneLevel);
    expect(sumAbs / actual.length).toBeLessThan(1e-5);
  });

  it('returns 512×512 values in [0, 1] with the maximum at exactly 1', () => {
    const pixels = Uint8Array.from({ length: 300 * 200 }, (_, i) => (i * 7) % 256);
    const out = preprocessForBsnet({ width: 300, height: 200, pixels });
    expect(out.length).toBe(512 * 512);
    expect(out.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThanOrEqual(0);
    expect(out.reduce((a, b) => Math.max(a, b), -Infinity)).toBe(1);
  });

  it('maps an all-black image to zeros instead of dividing by zero', () => {
    const out = preprocessForBsnet({ width: 10, height: 10, pixels: new Uint8Array(100) });
    expect(out.every((v) => v === 0)).toBe(true);
  });

  it('refuses an image whose size does not match its pixels', () => {
    let caught: unknown;
    try {
      preprocessForBsnet({ width: 10, height: 10, pixels: new Uint8Array(99) });
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe('IMAGING.NO_PIXELS');
  });

  it('preprocesses a 2000×2000 radiograph to 512² values in [0, 1]', () => {
    // Its speed is measured in bench/preprocess.bench.ts, not asserted here (shared CI machines are loaded).
    const pixels = Uint8Array.from({ length: 2000 * 2000 }, (_, i) => (i * 31 + (i >> 11)) % 256);
    const out = preprocessForBsnet({ width: 2000, height: 2000, pixels });
    expect(out).toHaveLength(512 * 512);
    let lowest = Infinity;
    let highest = -Infinity;
    for (const v of out) {
      lowest = Math.min(lowest, v);
      highest = Math.max(highest, v);
    }
    expect([lowest >= 0, highest]).toEqual([true, 1]);
  });
});

describe('equalisationLut (PIL ImageOps.equalize over 4096 levels)', () => {
  it('is the identity when the step is 0', () => {
    const histogram = new Uint32Array(4096);
    histogram[100] = 4000;
    histogram[200] = 5; // (4005 − 5) // 4096 = 0
    const lut = equalisationLut(histogram);
    expect([lut[0], lut[100], lut[200], lut[4095]]).toEqual([0, 100, 200, 4095]);
  });

  it('follows the cumulative histogram, excluding the last non-empty level from the step', () => {
    const histogram = new Uint32Array(4096);
    histogram[10] = 8192;
    histogram[20] = 8192;
    histogram[30] = 4096;
    // step = (20480 − 4096) // 4096 = 4; n starts at 2 and lut[i] = n // 4 before adding h[i].
    const lut = equalisationLut(histogram);
    expect([lut[10], lut[11], lut[20], lut[21], lut[30], lut[4095]]).toEqual([0, 2048, 2048, 4095, 4095, 4095]);
  });
});

describe('triangleAxisWeights (PIL triangle filter)', () => {
  it('is the identity at equal size', () => {
    const axis = triangleAxisWeights(512, 512);
    for (const i of [0, 17, 511]) {
      expect(axis.first[i]).toBe(i);
      expect(axis.weights[i * axis.maxTaps]).toBe(1);
    }
  });

  it('widens the filter by the scale when shrinking and normalises the weights', () => {
    const axis = triangleAxisWeights(2048, 512); // scale 4: taps over ±4 input pixels
    const i = 100;
    expect(axis.count[i]).toBe(8);
    let sum = 0;
    for (let j = 0; j < axis.count[i]; j++) sum += axis.weights[i * axis.maxTaps + j];
    expect(sum).toBeCloseTo(1, 12);
    // Centre of output 100 is input 402: weights peak on inputs 401 and 402 (1 − 0.5/4 each before normalising).
    expect(axis.first[i]).toBe(398);
    expect(axis.weights[i * axis.maxTaps + 3]).toBeCloseTo(axis.weights[i * axis.maxTaps + 4], 15);
  });
});
