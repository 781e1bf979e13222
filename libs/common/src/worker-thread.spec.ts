import * as path from 'node:path';
import { AppError } from './errors';
import { silentLogger } from './logger';
import { WorkerPool } from './worker-pool';
import { wholeBuffers } from './worker-protocol';
import { currentThreadNice } from './worker-thread';

jest.setTimeout(180_000); // a worker thread compiles its TypeScript first: wide bounds on a shared machine

type Request = { op: 'double' | 'fail' | 'die'; values?: Float32Array };

describe('WorkerPool', () => {
  let pool: WorkerPool<Request, Float32Array, { pid: number; nice?: number }>;
  beforeAll(async () => {
    pool = await WorkerPool.start({ entry: path.join(__dirname, 'testing', 'doubling.worker.ts'), size: 2, name: 'doubling', logger: silentLogger });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('runs requests in worker threads and moves transferred buffers', async () => {
    expect(pool.readyInfo.pid).toBe(process.pid);
    const input = new Float32Array([1, 2, 3]);
    const results = await Promise.all([pool.run({ op: 'double', values: input }, wholeBuffers(input)), pool.run({ op: 'double', values: new Float32Array([5]) })]);
    expect(Array.from(results[0])).toEqual([2, 4, 6]);
    expect(Array.from(results[1])).toEqual([10]);
    expect(input.byteLength).toBe(0); // detached: moved, not copied
  });

  it('brings AppErrors back with their code and details', async () => {
    await expect(pool.run({ op: 'fail' })).rejects.toMatchObject({ code: 'REQUEST.INVALID', message: 'asked to fail', details: { why: 'test' } });
    await expect(pool.run({ op: 'fail' })).rejects.toBeInstanceOf(AppError);
  });

  it('rejects the request of a worker that died and replaces the worker', async () => {
    await expect(pool.run({ op: 'die' })).rejects.toMatchObject({ code: 'INTERNAL' });
    const after = await Promise.all([1, 2, 3, 4].map((v) => pool.run({ op: 'double', values: new Float32Array([v]) })));
    expect(after.map((a) => a[0])).toEqual([2, 4, 6, 8]);
    expect(pool.size).toBe(2);
  });

  it('runs a pool at a lower priority than the event loop when asked (Linux: nice per thread)', async () => {
    const base = currentThreadNice();
    const lowered = await WorkerPool.start<Request, Float32Array, { nice?: number }>({
      entry: path.join(__dirname, 'testing', 'doubling.worker.ts'), size: 1, name: 'lowered', logger: silentLogger, niceIncrement: 5,
    });
    try {
      if (base === undefined) {
        expect(lowered.readyInfo.nice).toBeUndefined(); // no per-thread priority here: nothing to check
      } else {
        expect(lowered.readyInfo.nice).toBe(Math.min(19, base + 5));
        expect(pool.readyInfo.nice).toBe(base);
        expect(currentThreadNice()).toBe(base); // the calling thread keeps its priority
      }
      expect(Array.from(await lowered.run({ op: 'double', values: new Float32Array([4]) }))).toEqual([8]);
    } finally {
      await lowered.close();
    }
  });

  it('refuses work once closed', async () => {
    const closing = await WorkerPool.start<Request, Float32Array>({ entry: path.join(__dirname, 'testing', 'doubling.worker.ts'), size: 1, name: 'closing', logger: silentLogger });
    await closing.close();
    await expect(closing.run({ op: 'double' })).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});

describe('wholeBuffers', () => {
  it('lists only buffers a view spans whole', () => {
    const whole = new Uint8Array(8);
    const slice = new Uint8Array(new ArrayBuffer(16), 4, 4);
    expect(wholeBuffers(whole, slice)).toEqual([whole.buffer]);
  });
});
