import { makeRasterFixture } from '../testing';
import { inProcessPreparer, startPreparerPool, type RadiographPreparer } from './radiograph-preparer';

jest.setTimeout(180_000); // decoder threads compile their TypeScript first: wide bounds on a shared machine

describe('startPreparerPool', () => {
  let pool: RadiographPreparer;
  beforeAll(async () => {
    pool = await startPreparerPool({ threads: 1 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('decodes and preprocesses in a thread exactly as on the calling thread', async () => {
    const png = await makeRasterFixture({ format: 'png', width: 300, height: 260, seed: 7 });
    const [threaded, local] = await Promise.all([pool.prepare(png), inProcessPreparer().prepare(png)]);
    expect(threaded.decoded.metadata).toEqual(local.decoded.metadata);
    expect(Buffer.from(threaded.decoded.image.pixels).equals(Buffer.from(local.decoded.image.pixels))).toBe(true);
    expect(threaded.input).toBeInstanceOf(Float32Array);
    expect(Buffer.from(threaded.input.buffer).equals(Buffer.from(local.input.buffer))).toBe(true);
    expect(png.length).toBeGreaterThan(0); // the caller keeps its bytes
  });

  it('refuses at the input gate in the thread, before preprocessing, with every failed rule', async () => {
    const small = await makeRasterFixture({ format: 'png', width: 200, height: 120, seed: 3 });
    const refusal = { code: 'IMAGE.NOT_A_CHEST_RADIOGRAPH', details: expect.objectContaining({ rules: ['short-side'], width: 200, height: 120 }) };
    await expect(pool.prepare(small)).rejects.toMatchObject(refusal);
    await expect(inProcessPreparer().prepare(small)).rejects.toMatchObject(refusal);
  });

  it('keeps the IMAGING.* code of a refused image', async () => {
    await expect(pool.prepare(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).rejects.toMatchObject({ code: 'IMAGING.NOT_AN_IMAGE' });
  });
});
