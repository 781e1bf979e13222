import { MicroBatcher } from './micro-batcher';

function recordingRunner(delayMs = 5): { batches: number[][]; run: (items: readonly number[]) => Promise<number[]> } {
  const batches: number[][] = [];
  let active = 0;
  return {
    batches,
    run: async (items) => {
      active++;
      if (active > 1) throw new Error('two batches ran at once');
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      active--;
      return items.map((x) => x * 10);
    },
  };
}

describe('MicroBatcher', () => {
  it('stacks calls arriving within the window, up to the maximum batch size', async () => {
    const runner = recordingRunner();
    const batcher = new MicroBatcher(runner.run, { maxBatchSize: 4, batchWindowMs: 5 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map((x) => batcher.submit(x)));
    expect(results).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(runner.batches).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9],
    ]);
  });

  it('sends a lone call after the window', async () => {
    const runner = recordingRunner();
    const batcher = new MicroBatcher(runner.run, { maxBatchSize: 4, batchWindowMs: 1 });
    await expect(batcher.submit(3)).resolves.toBe(30);
    expect(runner.batches).toEqual([[3]]);
  });

  it('rejects only the calls of the failing batch', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return items.map((x) => x + 1);
      },
      { maxBatchSize: 2, batchWindowMs: 1 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((x) => batcher.submit(x)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(settled[2]).toEqual({ status: 'fulfilled', value: 4 });
  });

  it('rejects a batch whose runner returns the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [1], { maxBatchSize: 2, batchWindowMs: 1 });
    const settled = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
  });

  it('drain waits for queued and running batches', async () => {
    const runner = recordingRunner(10);
    const batcher = new MicroBatcher(runner.run, { maxBatchSize: 1, batchWindowMs: 1 });
    const pending = [batcher.submit(1), batcher.submit(2)];
    await batcher.drain();
    expect(runner.batches).toEqual([[1], [2]]);
    await expect(Promise.all(pending)).resolves.toEqual([10, 20]);
    await expect(batcher.drain()).resolves.toBeUndefined();
  });
});
