import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The shared research samples (../shared/dicom-samples beside the repository), or undefined where that
 * folder is absent (tests then skip). They are read in place and never copied into the repository.
 */
export function dicomSamplesDir(): string | undefined {
  const dir = resolve(__dirname, '../../../..', '../shared/dicom-samples');
  return existsSync(join(dir, 'manifest.csv')) ? dir : undefined;
}

/**
 * Unpacks RG3_UNC.dcm.zst (the pixel reference of the RG3 files) with the `zstd` CLI into a temporary
 * folder; Node 20 has no zstd. Call the returned cleanup when done.
 */
export async function unpackReferenceSample(samplesDir: string): Promise<{ path: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'brixia-samples-'));
  const path = join(dir, 'RG3_UNC.dcm');
  await run('zstd', ['-q', '-d', join(samplesDir, 'RG3_UNC.dcm.zst'), '-o', path], { timeout: 60_000 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
