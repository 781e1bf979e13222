import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process';

/** The Debian orthanc-dicomweb plugin (apt-get install orthanc orthanc-dicomweb; see .ci/run). */
const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancServer {
  readonly restUrl: string;
  /** WADO-RS / QIDO-RS base, e.g. http://127.0.0.1:40123/dicom-web */
  readonly dicomWebUrl: string;
  readonly port: number;
  /** Stores a DICOM Part 10 object through the REST API. */
  upload(dicom: Buffer): Promise<void>;
  /** Kills Orthanc (an outage); `start()` brings it back with the same storage. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  output(): string;
}

/**
 * A real Orthanc with its DICOMweb plugin on free loopback ports, temp storage, no DICOM network
 * listener beyond loopback and no authentication (tests only).
 */
export async function startOrthanc(): Promise<OrthancServer> {
  const dir = mkdtempSync(join(tmpdir(), 'brixia-orthanc-'));
  const port = await freePort();
  const config = {
    Name: 'BRIXIA-TEST',
    StorageDirectory: join(dir, 'storage'),
    IndexDirectory: join(dir, 'index'),
    HttpPort: port,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    HttpDescribeErrors: true,
    StableAge: 1,
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
  };
  writeFileSync(join(dir, 'orthanc.json'), JSON.stringify(config));
  let child: ChildProcess | undefined;
  let log = '';
  const restUrl = `http://127.0.0.1:${port}`;

  const start = async (): Promise<void> => {
    child = spawn('Orthanc', [join(dir, 'orthanc.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    // Orthanc answers within a second idle; 60 s leaves room for loaded CI cores.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`Orthanc exited with ${child.exitCode}:\n${log}`);
      try {
        if ((await fetch(`${restUrl}/system`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`Orthanc did not start:\n${log}`);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    restUrl,
    dicomWebUrl: `${restUrl}/dicom-web`,
    port,
    async upload(dicom: Buffer): Promise<void> {
      const response = await fetch(`${restUrl}/instances`, { method: 'POST', body: dicom, headers: { 'content-type': 'application/dicom' } });
      if (!response.ok) throw new Error(`Orthanc refused the instance: ${response.status} ${await response.text()}`);
    },
    stop,
    start,
    async close(): Promise<void> {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => log,
  };
}
