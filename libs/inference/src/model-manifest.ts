import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { AppError, ZONES, type ModelIdentity, type Zone } from '@brixia/common';
import { ZONE_DECISIONS, type ZoneDecision } from './zone-decoding';

/**
 * The model manifest (models/bsnet/<version>/manifest.json) is the contract between the Python
 * export and this runtime (docs/model-contract.md): TypeScript learns about the model only from it,
 * the ONNX file and the golden vectors.
 */

/** A tensor dimension: a number, or a name for a dynamic one (the batch dimension "N"). */
export type ShapeDim = number | string;
export type TensorShape = readonly ShapeDim[];

/** The four graph outputs of the exported BS-Net. */
export const BSNET_OUTPUT_NAMES = ['zone_probs', 'lung_mask', 'alignment', 'zone_cams'] as const;
export type BsnetOutputName = (typeof BSNET_OUTPUT_NAMES)[number];

/** Contents of manifest.json. Fields the runtime relies on are checked; the others are carried as given. */
export interface ModelManifest {
  readonly name: string;
  readonly version: string;
  /** ONNX file name, relative to the manifest's folder. */
  readonly onnxFile: string;
  /** SHA-256 (lower-case hex) of the ONNX file. */
  readonly sha256: string;
  readonly opset: number;
  /** Which preprocessing the model expects; must equal the ONNX metadata `preprocessing_id`. */
  readonly preprocessingId: string;
  /** Zone order of the `zone_probs` rows; this runtime requires A..F. */
  readonly zoneOrder: readonly Zone[];
  /** How zone scores are read from `zone_probs` (absent in older manifests: the paper's arg-max). */
  readonly zoneDecision: ZoneDecision;
  readonly input: { readonly name: string; readonly shape: TensorShape };
  readonly outputs: Readonly<Record<BsnetOutputName, TensorShape>>;
  /** Weight storage as the export describes it (e.g. int8 weight-only), informational. */
  readonly quantization: unknown;
  readonly internalResolution: unknown;
  readonly parameters: unknown;
  readonly metrics: unknown;
}

/** Where the committed model lives: <repo root>/models/bsnet/0.2.0, from this file's location. */
export const DEFAULT_MODEL_DIR: string = path.resolve(__dirname, '..', '..', '..', 'models', 'bsnet', '0.2.0');

const MANIFEST_FILE = 'manifest.json';

function invalid(message: string, cause?: unknown): AppError {
  return new AppError('INFERENCE.MODEL_INVALID', message, { cause });
}

function requireString(value: unknown, key: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`manifest.json: "${key}" must be a non-empty string`);
  return value;
}

function requireShape(value: unknown, key: string): TensorShape {
  // Accept both `[...]` and `{ shape: [...] }` for each tensor.
  const shape = Array.isArray(value) ? value : (value as { shape?: unknown } | null)?.shape;
  if (!Array.isArray(shape) || shape.some((d) => !(typeof d === 'string' || (Number.isInteger(d) && d > 0)))) {
    throw invalid(`manifest.json: "${key}" must be a shape (positive integers or dimension names)`);
  }
  return shape as TensorShape;
}

function requireZoneOrder(value: unknown): readonly Zone[] {
  const order = typeof value === 'string' ? value.split(',').map((z) => z.trim()) : value;
  // decodeZoneProbabilities and every consumer read rows as A..F (see zone-decoding.ts).
  if (!Array.isArray(order) || order.join(',') !== ZONES.join(',')) {
    throw invalid(`manifest.json: "zoneOrder" must be ${ZONES.join(',')}`);
  }
  return ZONES;
}

function requireZoneDecision(value: unknown): ZoneDecision {
  if (value === undefined) return 'argmax';
  if (!ZONE_DECISIONS.includes(value as ZoneDecision)) throw invalid(`manifest.json: "zoneDecision" must be one of ${ZONE_DECISIONS.join(', ')}`);
  return value as ZoneDecision;
}

/** Validates parsed manifest.json content. Throws INFERENCE.MODEL_INVALID on the first problem. */
export function parseModelManifest(json: unknown): ModelManifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw invalid('manifest.json must hold an object');
  const raw = json as Record<string, unknown>;
  const onnxFile = requireString(raw['onnxFile'], 'onnxFile');
  if (path.basename(onnxFile) !== onnxFile) throw invalid('manifest.json: "onnxFile" must be a file name in the model folder');
  const sha256 = requireString(raw['sha256'], 'sha256').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw invalid('manifest.json: "sha256" must be 64 hex digits');
  const opset = raw['opset'];
  if (!Number.isInteger(opset)) throw invalid('manifest.json: "opset" must be an integer');
  const input = raw['input'] as Record<string, unknown> | undefined;
  if (typeof input !== 'object' || input === null) throw invalid('manifest.json: "input" must be an object');
  const outputs = raw['outputs'] as Record<string, unknown> | undefined;
  if (typeof outputs !== 'object' || outputs === null) throw invalid('manifest.json: "outputs" must be an object');
  const outputShapes = Object.fromEntries(
    BSNET_OUTPUT_NAMES.map((name) => [name, requireShape(outputs[name], `outputs.${name}`)]),
  ) as Record<BsnetOutputName, TensorShape>;
  return {
    name: requireString(raw['name'], 'name'),
    version: requireString(raw['version'], 'version'),
    onnxFile,
    sha256,
    opset: opset as number,
    preprocessingId: requireString(raw['preprocessingId'], 'preprocessingId'),
    zoneOrder: requireZoneOrder(raw['zoneOrder']),
    zoneDecision: requireZoneDecision(raw['zoneDecision']),
    input: { name: requireString(input['name'], 'input.name'), shape: requireShape(input['shape'], 'input.shape') },
    outputs: outputShapes,
    quantization: raw['quantization'],
    internalResolution: raw['internalResolution'],
    parameters: raw['parameters'],
    metrics: raw['metrics'],
  };
}

/** A manifest whose ONNX file has been read and hashed. */
export interface VerifiedModelFiles {
  readonly manifest: ModelManifest;
  readonly onnxPath: string;
  readonly identity: ModelIdentity;
  /** The ONNX bytes that were hashed: the session is created from these, so what runs is what was checked. */
  readonly onnxBytes: Uint8Array;
}

/** Reads the manifest and ONNX file of `modelDir` and checks the file's SHA-256 against the manifest. */
export async function readVerifiedModelFiles(modelDir: string): Promise<VerifiedModelFiles> {
  const manifestPath = path.join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    throw invalid(`Model manifest not readable: ${manifestPath}`, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw invalid('manifest.json is not valid JSON', cause);
  }
  const manifest = parseModelManifest(json);
  const onnxPath = path.join(modelDir, manifest.onnxFile);
  let onnxBytes: Uint8Array;
  try {
    onnxBytes = await readFile(onnxPath);
  } catch (cause) {
    throw invalid(`ONNX file not readable: ${onnxPath}`, cause);
  }
  const sha256 = createHash('sha256').update(onnxBytes).digest('hex');
  if (sha256 !== manifest.sha256) {
    throw invalid(`ONNX file hash ${sha256} does not match manifest.json sha256 ${manifest.sha256}`);
  }
  const identity: ModelIdentity = {
    name: manifest.name,
    version: manifest.version,
    sha256,
    preprocessingId: manifest.preprocessingId,
  };
  return { manifest, onnxPath, identity, onnxBytes };
}

/**
 * Reads manifest.json, hashes the ONNX file and checks it equals manifest.sha256
 * (AppError INFERENCE.MODEL_INVALID otherwise).
 */
export async function readModelManifest(
  modelDir: string,
): Promise<{ manifest: ModelManifest; onnxPath: string; identity: ModelIdentity }> {
  const { manifest, onnxPath, identity } = await readVerifiedModelFiles(modelDir);
  return { manifest, onnxPath, identity };
}
