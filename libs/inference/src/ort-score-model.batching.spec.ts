import { AppError } from '@brixia/common';
import type { BsnetOutputName } from './model-manifest';
import { OrtScoreModel } from './ort-score-model.adapter';
import type { BsnetSession, BsnetTensor } from './ort-session.adapter';
import { recordingLogger } from './testing/golden-vectors';

const SIZE = 16; // a tiny 1×4×4 "image" keeps this test free of the real model

/** A fake session: zone_probs put all mass on score (first pixel value) for every zone; fails on request. */
function fakeSession(failWhen: (batch: Float32Array) => boolean): BsnetSession & { readonly runs: number[] } {
  const runs: number[] = [];
  return {
    runs,
    identity: { name: 'fake', version: '0', sha256: '0'.repeat(64), preprocessingId: 'p' },
    manifest: {} as BsnetSession['manifest'],
    layout: { inputName: 'image', inputSize: SIZE, inputImageDims: [1, 4, 4], camSize: [2, 2] },
    executionProvider: 'cpu',
    async run(batch: Float32Array, n: number, outputs: readonly BsnetOutputName[]) {
      runs.push(n);
      if (failWhen(batch)) throw new Error('onnxruntime exploded');
      const zoneProbs = new Float32Array(n * 24);
      for (let i = 0; i < n; i++) for (let z = 0; z < 6; z++) zoneProbs[i * 24 + z * 4 + batch[i * SIZE]] = 1;
      const result: Partial<Record<BsnetOutputName, BsnetTensor>> = { zone_probs: { dims: [n, 6, 4], data: zoneProbs } };
      if (outputs.includes('zone_cams')) {
        result.zone_cams = { dims: [n, 6, 4, 2, 2], data: new Float32Array(n * 96).map((_, j) => Math.floor(j / 96)) };
      }
      // Image i's mask is i / 4 everywhere (lung from the third image on); θ is i everywhere.
      if (outputs.includes('lung_mask')) result.lung_mask = { dims: [n, 1, 4, 4], data: new Float32Array(n * SIZE).map((_, j) => Math.floor(j / SIZE) / 4) };
      if (outputs.includes('alignment')) result.alignment = { dims: [n, 2, 3], data: new Float32Array(n * 6).map((_, j) => Math.floor(j / 6)) };
      return result;
    },
    release: async () => undefined,
  };
}

const image = (score: number): Float32Array => new Float32Array(SIZE).fill(score);

describe('OrtScoreModel batching and errors', () => {
  it('rejects only the calls of a failing batch, with INFERENCE.FAILED', async () => {
    const session = fakeSession((batch) => batch[0] === 3);
    const logger = recordingLogger();
    const model = new OrtScoreModel(session, { maxBatchSize: 2, batchWindowMs: 1 }, logger);
    const settled = await Promise.allSettled([3, 1, 2, 0].map((s) => model.score(image(s))));
    expect(session.runs).toEqual([2, 2]);
    expect(settled[0]).toMatchObject({ status: 'rejected', reason: { code: 'INFERENCE.FAILED' } });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: expect.any(AppError) });
    expect(settled[2]).toMatchObject({ status: 'fulfilled', value: { global: 12 } });
    expect(settled[3]).toMatchObject({ status: 'fulfilled', value: { global: 0 } });
    expect(logger.entries.some((e) => e.level === 'error' && e.fields['reason'] === 'onnxruntime exploded')).toBe(true);
    await model.close();
  });

  it('hands each caller its own slice of the CAMs and alignment', async () => {
    const session = fakeSession(() => false);
    const model = new OrtScoreModel(session, { maxBatchSize: 4, batchWindowMs: 1 }, recordingLogger());
    const [a, b, c] = await Promise.all([
      model.score(image(1), { withExplanations: true }),
      model.score(image(2)),
      model.score(image(3), { withExplanations: true }),
    ]);
    expect(session.runs).toEqual([3]);
    expect(a.zoneCams?.shape).toEqual([6, 4, 2, 2]);
    expect(a.zoneCams?.data.every((v) => v === 0)).toBe(true);
    expect(c.zoneCams?.data.every((v) => v === 2)).toBe(true);
    expect(c.alignment).toEqual([2, 2, 2, 2, 2, 2]);
    expect(b.zoneCams).toBeUndefined();
    // The gate's evidence comes with every output, explanations or not, each from its own slice.
    expect([a, b, c].map((o) => o.lungMask.lungAreaFraction)).toEqual([0, 0, 1]);
    expect(b.lungMask.alignment).toEqual([1, 1, 1, 1, 1, 1]);
    expect([a.global, b.global, c.global]).toEqual([6, 12, 18]);
    expect(c.expectedGlobal).toBeCloseTo(18, 6);
    await model.close();
  });
});
