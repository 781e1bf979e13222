import { startTogether } from './start-together';

function resource(name: string, closed: string[]): { name: string; close(): Promise<void> } {
  return { name, close: async () => void closed.push(name) };
}

describe('startTogether', () => {
  it('waits for every step and returns each result under its name (undefined for a step the role skips)', async () => {
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 20));
    await expect(startTogether({ slow, fast: Promise.resolve(1), skipped: undefined })).resolves.toEqual({ slow: 'slow', fast: 1, skipped: undefined });
  });

  it('closes what started when a step fails and throws the first failure in the order given', async () => {
    const closed: string[] = [];
    const steps = {
      model: Promise.resolve(resource('model', closed)),
      database: Promise.reject(new Error('database unreachable')),
      pool: Promise.resolve(resource('pool', closed)),
      manifest: Promise.reject(new Error('manifest unreadable')),
      plain: Promise.resolve({ identity: 'not closable' }),
    };
    await expect(startTogether(steps)).rejects.toThrow('database unreachable');
    expect(closed).toEqual(['model', 'pool']);
  });
});
