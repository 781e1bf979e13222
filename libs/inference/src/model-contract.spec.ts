import { checkOnnxMetadata, checkSessionSignature, tensorLayout, type SessionValueInfo } from './model-contract';
import { parseModelManifest } from './model-manifest';

const manifest = parseModelManifest({
  name: 'bsnet',
  version: '0.1.0',
  onnxFile: 'model.onnx',
  sha256: '0'.repeat(64),
  opset: 17,
  preprocessingId: 'prep-v1',
  zoneOrder: ['A', 'B', 'C', 'D', 'E', 'F'],
  input: { name: 'image', shape: ['N', 1, 512, 512] },
  outputs: { zone_probs: ['N', 6, 4], lung_mask: ['N', 1, 512, 512], alignment: ['N', 2, 3], zone_cams: ['N', 6, 4, 16, 16] },
});

const goodProps = { model_version: '0.1.0', preprocessing_id: 'prep-v1', zone_order: 'A,B,C,D,E,F' };
const tensor = (name: string, shape: (number | string)[]): SessionValueInfo => ({ name, isTensor: true, type: 'float32', shape });
const goodInputs = [tensor('image', ['N', 1, 512, 512])];
const goodOutputs = [
  tensor('zone_probs', ['N', 6, 4]),
  tensor('lung_mask', ['N', 1, 512, 512]),
  tensor('alignment', ['N', 2, 3]),
  tensor('zone_cams', ['N', 6, 4, 16, 16]),
];

describe('checkOnnxMetadata', () => {
  it('accepts matching metadata_props and opset', () => {
    expect(() => checkOnnxMetadata(manifest, { metadataProps: goodProps, defaultOpset: 17 })).not.toThrow();
  });

  it.each([
    ['another preprocessing_id', { ...goodProps, preprocessing_id: 'clahe' }, 17],
    ['a missing preprocessing_id', { model_version: '0.1.0', zone_order: 'A,B,C,D,E,F' }, 17],
    ['the reference A,D,B,E,C,F zone order', { ...goodProps, zone_order: 'A,D,B,E,C,F' }, 17],
    ['another model_version', { ...goodProps, model_version: '0.2.0' }, 17],
    ['another opset', goodProps, 18],
  ])('refuses %s', (_label, metadataProps, defaultOpset) => {
    expect(() => checkOnnxMetadata(manifest, { metadataProps, defaultOpset })).toThrow(expect.objectContaining({ code: 'INFERENCE.MODEL_INVALID' }));
  });
});

describe('checkSessionSignature', () => {
  it('accepts the exported signature', () => {
    expect(() => checkSessionSignature(manifest, goodInputs, goodOutputs)).not.toThrow();
  });

  it.each([
    ['a fixed batch size', [tensor('image', [1, 1, 512, 512])], goodOutputs],
    ['another input name', [tensor('input', ['N', 1, 512, 512])], goodOutputs],
    ['another input resolution', [tensor('image', ['N', 1, 256, 256])], goodOutputs],
    ['a missing zone_cams', goodInputs, goodOutputs.slice(0, 3)],
    ['a float16 output', goodInputs, [{ ...goodOutputs[0], type: 'float16' }, ...goodOutputs.slice(1)]],
    ['zone_probs of the wrong shape', goodInputs, [tensor('zone_probs', ['N', 3, 2, 4]), ...goodOutputs.slice(1)]],
  ])('refuses %s', (_label, inputs, outputs) => {
    expect(() => checkSessionSignature(manifest, inputs, outputs)).toThrow(expect.objectContaining({ code: 'INFERENCE.MODEL_INVALID' }));
  });
});

describe('tensorLayout', () => {
  it('derives per-image sizes from the manifest', () => {
    expect(tensorLayout(manifest)).toEqual({ inputName: 'image', inputSize: 512 * 512, inputImageDims: [1, 512, 512], camSize: [16, 16] });
  });
});
