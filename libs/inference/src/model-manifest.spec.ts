import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppError } from '@brixia/common';
import { parseModelManifest, readModelManifest } from './model-manifest';

const ONNX_BYTES = Buffer.from('not really onnx, only hashed here');
const SHA = createHash('sha256').update(ONNX_BYTES).digest('hex');

function manifestJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'bsnet',
    version: '0.1.0',
    onnxFile: 'model.onnx',
    sha256: SHA,
    opset: 17,
    preprocessingId: 'prep-v1',
    zoneOrder: ['A', 'B', 'C', 'D', 'E', 'F'],
    input: { name: 'image', shape: ['N', 1, 512, 512] },
    outputs: { zone_probs: ['N', 6, 4], lung_mask: ['N', 1, 512, 512], alignment: ['N', 2, 3], zone_cams: ['N', 6, 4, 16, 16] },
    quantization: 'int8-weights',
    internalResolution: 512,
    parameters: 20_900_000,
    metrics: {},
    ...overrides,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
  return undefined;
}

describe('parseModelManifest', () => {
  it('accepts a complete manifest and keeps its fields', () => {
    const manifest = parseModelManifest(manifestJson());
    expect(manifest.zoneOrder).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
    expect(manifest.outputs.zone_cams).toEqual(['N', 6, 4, 16, 16]);
    expect(manifest.sha256).toBe(SHA);
  });

  it('accepts { shape } objects and a comma-separated zone order', () => {
    const manifest = parseModelManifest(manifestJson({ zoneOrder: 'A,B,C,D,E,F', outputs: { ...(manifestJson().outputs as object), alignment: { shape: ['N', 2, 3] } } }));
    expect(manifest.outputs.alignment).toEqual(['N', 2, 3]);
  });

  it('reads the zone decision, the arg-max when an older manifest has none', () => {
    expect(parseModelManifest(manifestJson()).zoneDecision).toBe('argmax');
    expect(parseModelManifest(manifestJson({ zoneDecision: 'median' })).zoneDecision).toBe('median');
  });

  it.each([
    ['an unknown zone decision', { zoneDecision: 'mean' }],
    ['a missing name', { name: undefined }],
    ['a short sha256', { sha256: 'abc' }],
    ['a zone order other than A..F', { zoneOrder: ['A', 'D', 'B', 'E', 'C', 'F'] }],
    ['an onnxFile outside the folder', { onnxFile: '../model.onnx' }],
    ['a missing output', { outputs: { zone_probs: ['N', 6, 4] } }],
    ['a non-integer opset', { opset: '17' }],
  ])('refuses %s with INFERENCE.MODEL_INVALID', (_label, overrides) => {
    expect(codeOf(() => parseModelManifest(manifestJson(overrides)))).toBe('INFERENCE.MODEL_INVALID');
  });
});

describe('readModelManifest', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'brixia-manifest-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the manifest, the ONNX path and the identity when the hash matches', async () => {
    await writeFile(path.join(dir, 'model.onnx'), ONNX_BYTES);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifestJson()));
    const { identity, onnxPath } = await readModelManifest(dir);
    expect(identity).toEqual({ name: 'bsnet', version: '0.1.0', sha256: SHA, preprocessingId: 'prep-v1' });
    expect(onnxPath).toBe(path.join(dir, 'model.onnx'));
  });

  it('refuses an ONNX file whose hash differs from the manifest', async () => {
    await writeFile(path.join(dir, 'model.onnx'), Buffer.concat([ONNX_BYTES, Buffer.from('!')]));
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifestJson()));
    await expect(readModelManifest(dir)).rejects.toMatchObject({ code: 'INFERENCE.MODEL_INVALID' });
  });

  it('refuses a folder without the ONNX file', async () => {
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifestJson()));
    await expect(readModelManifest(dir)).rejects.toMatchObject({ code: 'INFERENCE.MODEL_INVALID' });
  });

  it('refuses a folder without manifest.json, or with broken JSON', async () => {
    await expect(readModelManifest(dir)).rejects.toMatchObject({ code: 'INFERENCE.MODEL_INVALID' });
    await writeFile(path.join(dir, 'manifest.json'), '{ "name": ');
    await expect(readModelManifest(dir)).rejects.toMatchObject({ code: 'INFERENCE.MODEL_INVALID' });
  });
});
