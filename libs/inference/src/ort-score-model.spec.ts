import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ZONES } from '@brixia/common';
import { DEFAULT_MODEL_DIR, readModelManifest } from './model-manifest';
import { loadOrtScoreModel } from './ort-score-model.adapter';
import type { ModelOutput, ScoreModel } from './score-model.port';
import { readGoldenModelCases, recordingLogger } from './testing/golden-vectors';

// These tests run the real committed model (models/bsnet/0.2.0) on the CPU, in its session thread (SWC compiles
// the sources there first): ≈ 0.15 s per image idle. With the 2 cores shared (load average 21 plus two busy loops)
// one explained run took up to 52 s: 300 s each.
jest.setTimeout(300_000);
const golden = readGoldenModelCases(DEFAULT_MODEL_DIR);
const logger = recordingLogger();
let model: ScoreModel;

beforeAll(async () => {
  model = await loadOrtScoreModel({ executionProviders: ['cpu'], maxBatchSize: 4, batchWindowMs: 5, logger });
});
afterAll(async () => {
  await model.close();
});

function maxAbsDiff(a: ModelOutput, b: ModelOutput): number {
  return Math.max(...ZONES.flatMap((z) => a.probabilities[z].map((p, k) => Math.abs(p - b.probabilities[z][k]))));
}

describe('loadOrtScoreModel on the committed model', () => {
  it('loads on the CPU, names the model and logs one info line', async () => {
    const { identity } = await readModelManifest(DEFAULT_MODEL_DIR);
    expect(model.executionProvider).toBe('cpu');
    expect(model.identity).toEqual(identity);
    const info = logger.entries.filter((e) => e.level === 'info');
    expect(info).toHaveLength(1);
    expect(info[0].fields).toMatchObject({ executionProvider: 'cpu', modelVersion: identity.version, sha256: identity.sha256 });
    expect(typeof info[0].fields['durationMs']).toBe('number');
  });

  it('returns zone scores, probabilities that sum to 1, CAMs and the alignment', async () => {
    const { manifest } = await readModelManifest(DEFAULT_MODEL_DIR);
    const out = await model.score(golden[0].input, { withExplanations: true });
    for (const zone of ZONES) {
      const p = out.probabilities[zone];
      expect(p).toHaveLength(4);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      // The manifest's decision rule, computed here independently of zone-decoding.ts.
      const median = p.findIndex((_, k) => p.slice(0, k + 1).reduce((a, b) => a + b, 0) >= 0.5);
      expect(out.zones[zone]).toBe(manifest.zoneDecision === 'median' ? median : p.indexOf(Math.max(...p)));
    }
    expect(out.global).toBe(ZONES.reduce((s, z) => s + out.zones[z], 0));
    expect(out.expectedGlobal).toBeGreaterThanOrEqual(0);
    expect(out.expectedGlobal).toBeLessThanOrEqual(18);
    const [, , , h, w] = manifest.outputs.zone_cams as number[];
    expect(out.zoneCams?.shape).toEqual([6, 4, h, w]);
    expect(out.zoneCams?.data).toHaveLength(6 * 4 * h * w);
    expect(out.alignment).toHaveLength(6);
    const plain = await model.score(golden[0].input);
    expect(plain.zoneCams).toBeUndefined();
    expect(plain.alignment).toBeUndefined();
    // The input gate's evidence comes with every output, explained or not (θ as in the explained run).
    expect(plain.lungMask.alignment).toHaveLength(6);
    plain.lungMask.alignment.forEach((v, i) => expect(v).toBeCloseTo(out.alignment?.[i] ?? Number.NaN, 4));
    expect(plain.lungMask.lungAreaFraction).toBeGreaterThanOrEqual(0);
    expect(plain.lungMask.lungAreaFraction).toBeLessThanOrEqual(1);
  });

  it.each(golden.map((g) => [g.inputCase, g] as const))('matches the golden vector %s', async (_name, g) => {
    expect(g.modelSha256).toBe(model.identity.sha256); // golden vectors must belong to the committed model
    const out = await model.score(g.input);
    ZONES.forEach((zone, z) => {
      out.probabilities[zone].forEach((p, k) => expect(Math.abs(p - g.zoneProbs[z][k])).toBeLessThanOrEqual(g.tolerance));
    });
  });

  it('micro-batches concurrent calls into fewer runs, with the results of sequential calls', async () => {
    // Five distinct inputs (the golden inputs, two of them also mirrored left-right): one full batch of 4
    // and the rest; the batcher's own rules are covered without the model in micro-batcher.spec.ts.
    const inputs = Array.from({ length: 5 }, (_, i) => {
      const base = golden[i % golden.length].input;
      if (i < golden.length) return base;
      const out = new Float32Array(base.length);
      for (let p = 0; p < base.length; p++) out[p] = base[p - (p % 512) + 511 - (p % 512)];
      return out;
    });
    const sequential: ModelOutput[] = [];
    for (const input of inputs) sequential.push(await model.score(input));
    const runsBefore = logger.entries.filter((e) => e.msg === 'session run').length;
    const concurrent = await Promise.all(inputs.map((input) => model.score(input)));
    const runs = logger.entries.filter((e) => e.msg === 'session run').slice(runsBefore);
    expect(runs.map((r) => r.fields['batchSize'])).toEqual([4, 1]);
    concurrent.forEach((out, i) => expect(maxAbsDiff(out, sequential[i])).toBeLessThan(1e-5));
    // 10 model runs: ≈ 1.5 s idle, 25 s measured at load average 25; 16 runs took up to 135 s under heavier load.
  }, 600_000);

  it('refuses inputs of the wrong size or with non-finite values (REQUEST.INVALID)', async () => {
    await expect(model.score(new Float32Array(256 * 256))).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
    const nan = new Float32Array(512 * 512);
    nan[7] = Number.NaN;
    await expect(model.score(nan)).rejects.toMatchObject({ code: 'REQUEST.INVALID' });
  });
});

describe('loadOrtScoreModel start-up checks', () => {
  it('falls back from WebGPU to the CPU and says why (no GPU adapter on this machine)', async () => {
    const fallbackLog = recordingLogger();
    const gpuModel = await loadOrtScoreModel({ executionProviders: ['webgpu', 'cpu'], logger: fallbackLog });
    try {
      const warnings = fallbackLog.entries.filter((e) => e.level === 'warn');
      if (gpuModel.executionProvider === 'webgpu') {
        expect(warnings).toEqual([]); // a host with a WebGPU adapter: nothing to fall back from
      } else {
        expect(gpuModel.executionProvider).toBe('cpu');
        expect(warnings).toHaveLength(1);
        expect(warnings[0].fields).toMatchObject({ executionProvider: 'webgpu', fallbackProvider: 'cpu' });
        expect(String(warnings[0].fields['reason'])).not.toBe('');
      }
      const info = fallbackLog.entries.find((e) => e.level === 'info');
      expect(info?.fields['executionProvider']).toBe(gpuModel.executionProvider);
    } finally {
      await gpuModel.close();
    }
  });

  it('refuses an ONNX file whose metadata disagrees with the manifest (INFERENCE.MODEL_INVALID)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'brixia-model-'));
    try {
      const manifest = JSON.parse(await readFile(path.join(DEFAULT_MODEL_DIR, 'manifest.json'), 'utf8'));
      await symlink(path.join(DEFAULT_MODEL_DIR, manifest.onnxFile), path.join(dir, manifest.onnxFile));
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, preprocessingId: 'some-other-preprocessing' }));
      await expect(loadOrtScoreModel({ modelDir: dir })).rejects.toMatchObject({ code: 'INFERENCE.MODEL_INVALID' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects calls after close()', async () => {
    const closing = await loadOrtScoreModel();
    const pending = closing.score(golden[0].input);
    await closing.close();
    await expect(pending).resolves.toHaveProperty('global');
    await expect(closing.score(golden[0].input)).rejects.toMatchObject({ code: 'INFERENCE.FAILED' });
  });
});
