import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Logger } from '@brixia/common';

/**
 * Test helpers for the golden vectors the Python export writes next to the model
 * (models/bsnet/<version>/golden/{preprocess,model}/*.json; format in models/bsnet/golden.py).
 */

export interface GoldenModelCase {
  readonly inputCase: string;
  readonly modelSha256: string;
  /** Expected zone_probs [6][4] from ONNX Runtime in Python, zone order A..F. */
  readonly zoneProbs: readonly (readonly number[])[];
  readonly tolerance: number;
  /** The preprocessed 512×512 input (golden/preprocess/<inputCase>.json output). */
  readonly input: Float32Array;
}

function decodeFloat32le(base64: string): Float32Array {
  const bytes = gunzipSync(Buffer.from(base64, 'base64'));
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** Every golden model case of a model folder, with its preprocessed input. */
export function readGoldenModelCases(modelDir: string): GoldenModelCase[] {
  const dir = path.join(modelDir, 'golden', 'model');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const doc = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      const pre = JSON.parse(readFileSync(path.join(modelDir, 'golden', 'preprocess', `${doc.inputCase}.json`), 'utf8'));
      return {
        inputCase: String(doc.inputCase),
        modelSha256: String(doc.modelSha256),
        zoneProbs: doc.zone_probs_onnx,
        tolerance: Number(doc.tolerance),
        input: decodeFloat32le(pre.output.data),
      };
    });
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

/** A Logger that keeps what it is told, for asserting on log lines. */
export function recordingLogger(entries: LogEntry[] = []): Logger & { readonly entries: LogEntry[] } {
  const at =
    (level: LogEntry['level']) =>
    (fields: Record<string, unknown>, msg: string): void => {
      entries.push({ level, fields, msg });
    };
  const logger = { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}
