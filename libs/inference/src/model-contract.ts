import { AppError, ZONES } from '@brixia/common';
import { BSNET_OUTPUT_NAMES, type ModelManifest, type TensorShape } from './model-manifest';
import type { OnnxModelMetadata } from './onnx-metadata';
import { SCORE_CLASSES } from './zone-decoding';

/**
 * Fail-fast checks (docs/model-contract.md: a wrong export fails fast) that the ONNX file, its session and the manifest describe the
 * same model, so that a wrong export is refused at start-up instead of producing wrong scores.
 */

/** A graph input or output as the session reports it. */
export interface SessionValueInfo {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: TensorShape;
}

function invalid(message: string): AppError {
  return new AppError('INFERENCE.MODEL_INVALID', message);
}

/** metadata_props of the ONNX file against the manifest: preprocessing_id, zone_order, model_version, opset. */
export function checkOnnxMetadata(manifest: ModelManifest, metadata: OnnxModelMetadata): void {
  const props = metadata.metadataProps;
  if (props['preprocessing_id'] !== manifest.preprocessingId) {
    throw invalid(`ONNX preprocessing_id "${props['preprocessing_id'] ?? ''}" differs from the manifest's "${manifest.preprocessingId}"`);
  }
  const zoneOrder = (props['zone_order'] ?? '').split(',').map((z) => z.trim()).join(',');
  if (zoneOrder !== ZONES.join(',')) {
    throw invalid(`ONNX zone_order "${props['zone_order'] ?? ''}" is not ${ZONES.join(',')}`);
  }
  if (props['model_version'] !== undefined && props['model_version'] !== manifest.version) {
    throw invalid(`ONNX model_version "${props['model_version']}" differs from the manifest's "${manifest.version}"`);
  }
  if (metadata.defaultOpset !== undefined && metadata.defaultOpset !== manifest.opset) {
    throw invalid(`ONNX opset ${metadata.defaultOpset} differs from the manifest's ${manifest.opset}`);
  }
}

function sameShape(actual: TensorShape | undefined, expected: TensorShape): boolean {
  if (actual === undefined || actual.length !== expected.length) return false;
  // Named (dynamic) dimensions match anything; fixed ones must agree.
  return expected.every((dim, i) => typeof dim === 'string' || typeof actual[i] === 'string' || actual[i] === dim);
}

function checkValue(kind: string, value: SessionValueInfo | undefined, name: string, shape: TensorShape): void {
  if (value === undefined) throw invalid(`The model has no ${kind} "${name}"`);
  if (!value.isTensor || value.type !== 'float32') throw invalid(`The model's ${kind} "${name}" is not a float32 tensor`);
  if (!sameShape(value.shape, shape)) {
    throw invalid(`The model's ${kind} "${name}" has shape [${(value.shape ?? []).join(',')}], the manifest says [${shape.join(',')}]`);
  }
}

/** The per-image sizes the runtime needs, derived from a checked manifest. */
export interface BsnetTensorLayout {
  readonly inputName: string;
  /** Float32 values per image: 1 × 512 × 512. */
  readonly inputSize: number;
  /** Input dimensions after the batch dimension, e.g. [1, 512, 512]. */
  readonly inputImageDims: readonly number[];
  /** h, w of each zone CAM. */
  readonly camSize: readonly [number, number];
}

/** Checks what the manifest promises (batch first, zone_probs [N,6,4], fixed per-image sizes) and derives the layout. */
export function tensorLayout(manifest: ModelManifest): BsnetTensorLayout {
  const [batch, ...imageDims] = manifest.input.shape;
  if (typeof batch !== 'string' || imageDims.length !== 3 || imageDims.some((d) => typeof d !== 'number')) {
    throw invalid(`manifest input shape [${manifest.input.shape.join(',')}] is not [N, 1, H, W]`);
  }
  const zoneProbs = manifest.outputs.zone_probs;
  if (zoneProbs.length !== 3 || zoneProbs[1] !== ZONES.length || zoneProbs[2] !== SCORE_CLASSES) {
    throw invalid(`manifest zone_probs shape [${zoneProbs.join(',')}] is not [N, 6, 4]`);
  }
  const cams = manifest.outputs.zone_cams;
  if (cams.length !== 5 || typeof cams[3] !== 'number' || typeof cams[4] !== 'number') {
    throw invalid(`manifest zone_cams shape [${cams.join(',')}] is not [N, 6, 4, h, w]`);
  }
  const dims = imageDims as number[];
  return {
    inputName: manifest.input.name,
    inputSize: dims.reduce((a, b) => a * b, 1),
    inputImageDims: dims,
    camSize: [cams[3], cams[4]],
  };
}

/** Session inputs/outputs against the manifest: names, float32, shapes, a dynamic batch dimension. */
export function checkSessionSignature(
  manifest: ModelManifest,
  inputs: readonly SessionValueInfo[],
  outputs: readonly SessionValueInfo[],
): void {
  const input = inputs.find((v) => v.name === manifest.input.name);
  checkValue('input', input, manifest.input.name, manifest.input.shape);
  if (inputs.length !== 1) throw invalid(`The model has ${inputs.length} inputs, expected 1`);
  // Micro-batching stacks images along the first dimension, so it must be dynamic in the graph.
  if (typeof input?.shape?.[0] === 'number') throw invalid(`The model's input "${manifest.input.name}" has a fixed batch size`);
  for (const name of BSNET_OUTPUT_NAMES) {
    checkValue('output', outputs.find((v) => v.name === name), name, manifest.outputs[name]);
  }
}
