import type { ScoringStore, ScoringTaskRecord } from '@brixia/persistence';
import { loadTaskPixels } from './load-task-pixels';
import type { ScoringContext } from './scoring-context';
import { UploadHandoff } from './upload-handoff';

/** Intake's bytes handed to the worker of the same process: taken once, bounded, the store as the fallback. */
describe('UploadHandoff', () => {
  const stored = Buffer.from('stored image');
  const contextWith = (handoff: UploadHandoff | undefined, reads: string[]): ScoringContext =>
    ({
      store: { loadImageContent: async (id: string) => (reads.push(id), { content: stored }) } as unknown as ScoringStore,
      uploadHandoff: handoff,
    }) as unknown as ScoringContext;
  const task = { id: 'task-1', imageId: 'image-1' } as ScoringTaskRecord;

  it('gives a job the bytes its upload recorded, once; the next read goes to the store', async () => {
    const handoff = new UploadHandoff();
    const uploaded = Buffer.from('uploaded image');
    handoff.put('image-1', uploaded);
    const reads: string[] = [];
    const context = contextWith(handoff, reads);
    expect(await loadTaskPixels(context, task)).toBe(uploaded);
    expect(reads).toEqual([]);
    expect(await loadTaskPixels(context, task)).toBe(stored);
    expect(reads).toEqual(['image-1']);
  });

  it('drops the oldest bytes beyond its bound and never holds one upload larger than it', () => {
    const handoff = new UploadHandoff(10);
    handoff.put('a', Buffer.alloc(4));
    handoff.put('b', Buffer.alloc(4));
    handoff.put('c', Buffer.alloc(4));
    expect(handoff.take('a')).toBeUndefined();
    expect(handoff.take('b')?.length).toBe(4);
    handoff.put('huge', Buffer.alloc(11));
    expect(handoff.take('huge')).toBeUndefined();
    expect(handoff.heldCount).toBe(1);
  });

  it('reads the store when no hand-off is configured (separate api and worker processes)', async () => {
    const reads: string[] = [];
    expect(await loadTaskPixels(contextWith(undefined, reads), task)).toBe(stored);
    expect(reads).toEqual(['image-1']);
  });
});
