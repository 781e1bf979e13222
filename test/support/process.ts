import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tokenFromDevIssuer, type TokenOptions } from './auth';

export const REPO_ROOT = resolve(__dirname, '../..');

/** A free loopback port (asks the OS, then releases it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): string;
  /** Where the process's development OpenID provider keeps its state (`npm run token` reads it). */
  readonly devIssuerDir: string;
  /** A token of the process's development provider (the default test token unless options say). */
  token(options?: TokenOptions): Promise<string>;
  /** fetch against the process with the default token (`init.headers` may override Authorization). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Signals the process group and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartingServiceProcess extends ServiceProcess {
  /** Resolves once the process is ready (as startServiceProcess waits); rejects when it exits first or times out. */
  readonly ready: Promise<void>;
  /** When the process was spawned (ms since the epoch). */
  readonly spawnedAt: number;
}

export interface ServiceCommand {
  /**
   * A compiled build's directory (`node tools/build.js --out <dir>`, see compiledBuild): the process runs
   * `node <dir>/apps/api/src/main.js` as the container image does, no npm and no transpiling at start.
   * Without it, `npm start`.
   */
  readonly compiledDir?: string;
}

/** Compiles the service once into `dir` (tools/build.js, about a second) and returns the directory. */
export function compiledBuild(dir = join(REPO_ROOT, 'tmp', 'e2e-dist')): string {
  execFileSync(process.execPath, [join(REPO_ROOT, 'tools', 'build.js'), '--out', dir], { cwd: REPO_ROOT, stdio: 'ignore' });
  return dir;
}

/**
 * Runs `npm start` (the newcomer's command) and waits until /health answers 200. Without
 * BRIXIA_AUTH_ISSUER the process runs its development OpenID provider (on a free loopback port, state
 * in a fresh temporary directory); `fetch` and `token` get tokens from it. Start-up (compile,
 * migrations, model load) takes seconds idle and several times that on loaded CI cores: bounded at 180 s.
 */
export async function startServiceProcess(env: Record<string, string>, timeoutMs = 180_000, command: ServiceCommand = {}): Promise<ServiceProcess> {
  const starting = await spawnServiceProcess(env, timeoutMs, command);
  await starting.ready;
  return starting;
}

/**
 * Spawns the service like startServiceProcess but returns at once: `ready` says when it is up, and the
 * process can be stopped (or killed) while it is still starting.
 */
export async function spawnServiceProcess(env: Record<string, string>, timeoutMs = 180_000, command: ServiceCommand = {}): Promise<StartingServiceProcess> {
  const workerOnly = env['BRIXIA_ROLE'] === 'worker';
  const port = Number(env['PORT'] ?? (await freePort()));
  const devIssuerDir = env['BRIXIA_DEV_ISSUER_DIR'] ?? mkdtempSync(join(tmpdir(), 'brixia-dev-issuer-'));
  const devIssuerPort = env['BRIXIA_DEV_ISSUER_PORT'] ?? String(await freePort());
  const spawnedAt = Date.now();
  const [file, args] = command.compiledDir ? [process.execPath, [join(command.compiledDir, 'apps/api/src/main.js')]] : ['npm', ['start', '--silent']];
  const child = spawn(file, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'info', BRIXIA_DEV_ISSUER_DIR: devIssuerDir, BRIXIA_DEV_ISSUER_PORT: devIssuerPort, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  let defaultToken: Promise<string> | undefined;
  const token = (options?: TokenOptions): Promise<string> => {
    if (options) return tokenFromDevIssuer(devIssuerDir, options);
    defaultToken ??= tokenFromDevIssuer(devIssuerDir);
    return defaultToken;
  };
  const service: ServiceProcess = {
    child,
    baseUrl,
    output: () => log,
    devIssuerDir,
    token,
    fetch: async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${await token()}`);
      return fetch(`${baseUrl}${path}`, { ...init, headers });
    },
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      // npm runs node as a child: signal the whole process group, then wait until every process of the
      // group is gone (npm exits before node has finished shutting down).
      try {
        process.kill(-(child.pid as number), signal);
      } catch {
        return;
      }
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        try {
          process.kill(-(child.pid as number), 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      process.kill(-(child.pid as number), 'SIGKILL');
    },
  };
  const waitReady = async (): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited with ${child.exitCode ?? child.signalCode}:\n${log}`);
      if (workerOnly) {
        // A worker serves no HTTP: it is ready once it says so.
        if (log.includes('"worker ready"') || log.includes('"msg":"worker ready"')) return;
      } else {
        try {
          const response = await fetch(`${baseUrl}/health`);
          if (response.status === 200) return;
        } catch {
          // not listening yet
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    await service.stop('SIGKILL');
    throw new Error(`service did not become healthy in ${timeoutMs} ms:\n${log}`);
  };
  const ready = waitReady();
  // Observed by whoever awaits it; a process stopped while starting must not raise an unhandled rejection.
  ready.catch(() => undefined);
  return Object.assign(service, { ready, spawnedAt });
}
