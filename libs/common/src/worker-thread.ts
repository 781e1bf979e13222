import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starting a worker thread on a module file, and the thread's scheduling priority. The pool that
 * drives such threads is worker-pool.ts; what they say to it, worker-protocol.ts. This module loads
 * nothing of the service, so a thread can require it (to renice itself) before its entry.
 */

/** The nearest tsconfig.json above `from` (what @swc-node/register resolves @brixia/* aliases with). */
function findTsconfig(from: string): string | undefined {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The calling thread's id on Linux ("/proc/thread-self" links to "<pid>/task/<tid>"); undefined elsewhere. */
function currentThreadId(): number | undefined {
  try {
    const tid = Number(path.basename(readlinkSync('/proc/thread-self')));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** The calling thread's nice value (Linux, from /proc/thread-self/stat); undefined elsewhere. */
export function currentThreadNice(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after the parenthesised command name; nice is field 19 of proc(5), the 17th after it.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return undefined;
  }
}

/**
 * Lowers the calling thread's scheduling priority by `increment` nice steps (at most to 19; lowering needs
 * no privilege). On Linux nice is per thread (setpriority(2) on a thread id, see sched(7)) and threads
 * created afterwards inherit it, so a session thread reniced before it creates its session also lowers
 * ONNX Runtime's intra-op threads: the event loop, at the process's own priority, preempts them when
 * HTTP or queue work arrives, and they take every cycle it leaves idle. Returns the thread's nice
 * value, or undefined where a single thread cannot be reniced (not Linux).
 */
export function lowerCurrentThreadPriority(increment: number): number | undefined {
  const tid = currentThreadId();
  if (tid === undefined || increment <= 0) return currentThreadNice();
  setPriority(tid, Math.min(19, getPriority(tid) + increment));
  return currentThreadNice();
}

/**
 * A worker on a module file. Compiled JavaScript (the container image) runs as it is; a TypeScript
 * source (npm start, Jest, benchmarks) is loaded through @swc-node/register inside the worker, because
 * neither the parent's `-r` hook nor Jest's transform reaches a worker thread. With `niceIncrement`
 * the thread lowers its own priority before the module loads (lowerCurrentThreadPriority).
 */
export function spawnModuleWorker(entry: string, workerData: unknown, name: string, niceIncrement = 0): Worker {
  const typescript = entry.endsWith('.ts');
  if (!typescript && niceIncrement <= 0) return new Worker(entry, { workerData, name, execArgv: [] });
  const bootstrap: string[] = [];
  if (typescript) {
    const tsconfig = process.env['SWC_NODE_PROJECT'] ?? findTsconfig(entry);
    bootstrap.push(
      `process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || ${JSON.stringify(tsconfig ?? '')} || undefined;`,
      `process.env.SWC_NODE_IGNORE_DYNAMIC = process.env.SWC_NODE_IGNORE_DYNAMIC || '1';`,
      `require(require.resolve('@swc-node/register', { paths: [${JSON.stringify(path.dirname(entry))}] }));`,
    );
  }
  // This module itself (the .ts source or its compiled .js), loaded in the thread before the entry.
  if (niceIncrement > 0) bootstrap.push(`require(${JSON.stringify(__filename)}).lowerCurrentThreadPriority(${Math.floor(niceIncrement)});`);
  bootstrap.push(`require(${JSON.stringify(entry)});`);
  return new Worker(bootstrap.join('\n'), { eval: true, workerData, name, execArgv: [] });
}
