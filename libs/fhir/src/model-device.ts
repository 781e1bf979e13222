import { createHash } from 'node:crypto';
import type * as fhir4 from 'fhir/r4';
import { AppError, type ModelIdentity } from '@brixia/common';
import { AI_DEVICE_TYPE, aiastSecurity } from './ai-transparency';
import type { FhirConfig } from './config';

/** Device.version[].type and Device.property[].type texts, so clients can find each value. */
export const DEVICE_VERSION_TYPES = { modelVersion: 'model-version', onnxSha256: 'onnx-sha256' } as const;
export const DEVICE_PROPERTY_TYPES = {
  inputSize: 'input-size',
  internalResolution: 'internal-resolution',
  preprocessing: 'preprocessing',
} as const;

const MAX_ID_LENGTH = 64;

/**
 * The Device id of a model: `${name}-${version}` lowered, every run of other characters than
 * [a-z0-9] turned into '-' (e.g. bsnet 0.1.0 → `bsnet-0-1-0`). Ids longer than 64 characters
 * (the FHIR limit) are cut and end with a hash of the full name so that they stay distinct.
 */
export function deviceIdFor(model: Pick<ModelIdentity, 'name' | 'version'>): string {
  const id = `${model.name}-${model.version}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (id.length === 0) return `model-${shortHash(`${model.name}\n${model.version}`)}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  const hash = shortHash(`${model.name}\n${model.version}`);
  return `${id.slice(0, MAX_ID_LENGTH - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Optional facts about the model that the manifest may know. */
export interface ModelDeviceExtra {
  /** Side of the square network input, in pixels (BS-Net: 512). */
  readonly inputSize?: number;
  /** Side of the square resolution the model works at internally, in pixels. */
  readonly internalResolution?: number;
  /** Where the model card (markdown) is published. */
  readonly modelCardUrl?: string;
}

/**
 * The model as an AI Device (AI Transparency IG): deviceName, version = model version AND the
 * SHA-256 of the ONNX file (every result names its exact weights), type Artificial-Intelligence,
 * properties for input size and preprocessing, security label AIAST.
 */
export function buildModelDevice(model: ModelIdentity, _config: FhirConfig, extra: ModelDeviceExtra = {}): fhir4.Device {
  const property: fhir4.DeviceProperty[] = [];
  if (extra.inputSize !== undefined) property.push(pixelProperty(DEVICE_PROPERTY_TYPES.inputSize, extra.inputSize));
  if (extra.internalResolution !== undefined) property.push(pixelProperty(DEVICE_PROPERTY_TYPES.internalResolution, extra.internalResolution));
  property.push({ type: { text: DEVICE_PROPERTY_TYPES.preprocessing }, valueCode: [{ text: model.preprocessingId }] });
  return {
    resourceType: 'Device',
    id: deviceIdFor(model),
    meta: { security: [aiastSecurity()] },
    status: 'active',
    deviceName: [
      { name: model.name, type: 'model-name' },
      { name: `${model.name} ${model.version}`, type: 'user-friendly-name' },
    ],
    type: { coding: [{ ...AI_DEVICE_TYPE }], text: 'AI model scoring the Brixia score on chest radiographs' },
    version: [
      { type: { text: DEVICE_VERSION_TYPES.modelVersion }, value: model.version },
      { type: { text: DEVICE_VERSION_TYPES.onnxSha256 }, value: model.sha256 },
    ],
    property,
    safety: [{ text: 'Research use only; not for diagnostic use.' }],
    ...(extra.modelCardUrl !== undefined ? { note: [{ text: `Model card: ${extra.modelCardUrl}` }] } : {}),
  };
}

function pixelProperty(type: string, side: number): fhir4.DeviceProperty {
  if (!Number.isInteger(side) || side <= 0) {
    throw new AppError('INFERENCE.MODEL_INVALID', `The model's ${type} must be a positive number of pixels`);
  }
  // Pixels per side of a square image. UCUM has no pixel unit; the annotation {pixel} is a valid
  // dimensionless UCUM code.
  return { type: { text: type }, valueQuantity: [{ value: side, unit: 'pixel', system: 'http://unitsofmeasure.org', code: '{pixel}' }] };
}
