import { ZONES, type BrixiaScoring, type ErrorCode, type ModelIdentity } from '@brixia/common';

/** The outcome for one input file. */
export type FileResult =
  | { readonly file: string; readonly ok: true; readonly scoring: BrixiaScoring }
  | { readonly file: string; readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

/** One JSON line per file: scores and the model that produced them, or the error. */
export function jsonLine(result: FileResult, model: Pick<ModelIdentity, 'version' | 'sha256'>): string {
  if (!result.ok) return JSON.stringify({ file: result.file, error: result.error });
  const { zones, global, probabilities } = result.scoring;
  return JSON.stringify({
    file: result.file,
    zones,
    global,
    probabilities,
    model: { version: model.version, sha256: model.sha256 },
  });
}

/** The plain stderr line for a failed file. */
export function errorLine(file: string, message: string): string {
  return `error: ${file}: ${message}`;
}

/** The table's header line for file names up to `width` characters. */
export function tableHeader(width: number): string {
  return `${'FILE'.padEnd(width)}  ${ZONES.join(' ')}  GLOBAL`;
}

/** One table row: zone scores A–F and the global score, or the error code. */
export function tableRow(result: FileResult, width: number): string {
  return result.ok
    ? `${result.file.padEnd(width)}  ${ZONES.map((z) => result.scoring.zones[z]).join(' ')}  ${String(result.scoring.global).padStart(6)}`
    : `${result.file.padEnd(width)}  ${'-'.repeat(ZONES.length * 2 - 1)}  ${result.error.code}`;
}

/** The line under the table naming the model. */
export function tableFooter(model: ModelIdentity, executionProvider: string): string {
  return `model ${model.name} ${model.version} (sha256 ${model.sha256.slice(0, 12)}…, ${executionProvider}); research use only`;
}

/** A short table for people: one row per file, zone scores A–F and the global score. */
export function tableText(results: readonly FileResult[], model: ModelIdentity, executionProvider: string): string {
  const width = Math.max(4, ...results.map((r) => r.file.length));
  return [tableHeader(width), ...results.map((r) => tableRow(r, width)), '', tableFooter(model, executionProvider)].join('\n');
}
