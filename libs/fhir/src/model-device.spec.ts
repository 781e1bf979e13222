import { AIAST_SECURITY, AI_DEVICE_TYPE } from './ai-transparency';
import { buildModelDevice, deviceIdFor } from './model-device';
import { sampleFhirConfig as config, sampleModel as model } from './testing/samples';

describe('deviceIdFor', () => {
  it('turns name and version into a FHIR id', () => {
    expect(deviceIdFor({ name: 'bsnet', version: '0.1.0' })).toBe('bsnet-0-1-0');
    expect(deviceIdFor({ name: 'BS Net', version: '2.0.0+rc.1' })).toBe('bs-net-2-0-0-rc-1');
  });

  it('stays within 64 characters and distinct for long names', () => {
    const long = 'x'.repeat(80);
    const a = deviceIdFor({ name: long, version: '1' });
    const b = deviceIdFor({ name: long, version: '2' });
    expect(a).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
    expect(a).not.toBe(b);
  });
});

describe('buildModelDevice', () => {
  const device = buildModelDevice(model, config, { inputSize: 512, modelCardUrl: 'https://brixia.example.org/models/bsnet-0.1.0.md' });

  it('is an AI Device labelled AIAST with the model id', () => {
    expect(device.id).toBe(deviceIdFor(model));
    expect(device.meta?.security).toEqual([AIAST_SECURITY]);
    expect(device.type?.coding).toEqual([AI_DEVICE_TYPE]);
    expect(device.deviceName?.map((name) => name.type)).toEqual(['model-name', 'user-friendly-name']);
  });

  it('names the model version AND the ONNX SHA-256', () => {
    expect(device.version).toEqual([
      { type: { text: 'model-version' }, value: model.version },
      { type: { text: 'onnx-sha256' }, value: model.sha256 },
    ]);
  });

  it('has input size and preprocessing properties, and links the model card', () => {
    const byType = Object.fromEntries((device.property ?? []).map((property) => [property.type.text, property]));
    expect(byType['input-size']?.valueQuantity?.[0]?.value).toBe(512);
    expect(byType['preprocessing']?.valueCode?.[0]?.text).toBe(model.preprocessingId);
    expect(device.note?.[0]?.text).toContain('bsnet-0.1.0.md');
  });

  it('omits the input size when unknown and refuses a nonsensical one', () => {
    expect(buildModelDevice(model, config).property?.map((property) => property.type.text)).toEqual(['preprocessing']);
    expect(() => buildModelDevice(model, config, { inputSize: 0 })).toThrow(expect.objectContaining({ code: 'INFERENCE.MODEL_INVALID' }));
  });
});
