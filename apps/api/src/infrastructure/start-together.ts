/** Something started that holds resources (a thread, a pool, connections). */
interface Closable {
  close(): Promise<void>;
}

function isClosable(value: unknown): value is Closable {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Closable>).close === 'function';
}

/**
 * Awaits independent start-up steps already under way side by side (undefined: a step the role skips). When any of
 * them fails, the ones that started are closed (threads, pools, connections do not leak) and the
 * first failure, in the order given, is thrown.
 */
export async function startTogether<T extends Record<string, Promise<unknown> | undefined>>(steps: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const names = Object.keys(steps) as Array<keyof T>;
  const settled = await Promise.allSettled(names.map((name) => steps[name]));
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    for (const result of settled) {
      if (result.status === 'fulfilled' && isClosable(result.value)) await result.value.close().catch(() => undefined);
    }
    throw failed.reason;
  }
  const started = {} as { [K in keyof T]: Awaited<T[K]> };
  names.forEach((name, i) => {
    started[name] = (settled[i] as PromiseFulfilledResult<Awaited<T[typeof name]>>).value;
  });
  return started;
}
