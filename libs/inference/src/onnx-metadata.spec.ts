import { readOnnxModelMetadata } from './onnx-metadata';

/** Minimal protobuf writer for the few ModelProto fields under test. */
function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}
const bytes = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const lengthDelimited = (field: number, payload: number[]): number[] => [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
const varintField = (field: number, value: number): number[] => [...varint(field * 8), ...varint(value)];
const entry = (key: string, value: string): number[] => lengthDelimited(14, [...lengthDelimited(1, bytes(key)), ...lengthDelimited(2, bytes(value))]);

describe('readOnnxModelMetadata', () => {
  it('reads metadata_props and the default-domain opset, skipping other fields', () => {
    const model = Uint8Array.from([
      ...varintField(1, 8), // ir_version
      ...lengthDelimited(2, bytes('pytorch')), // producer_name
      ...lengthDelimited(7, new Array(300).fill(0x08)), // a "graph" to skip (its content is never parsed)
      ...lengthDelimited(8, [...lengthDelimited(1, bytes('com.microsoft')), ...varintField(2, 1)]),
      ...lengthDelimited(8, varintField(2, 17)), // default domain "" omitted
      ...entry('preprocessing_id', 'prep-v1'),
      ...entry('zone_order', 'A,B,C,D,E,F'),
    ]);
    expect(readOnnxModelMetadata(model)).toEqual({
      metadataProps: { preprocessing_id: 'prep-v1', zone_order: 'A,B,C,D,E,F' },
      defaultOpset: 17,
    });
  });

  it('refuses truncated bytes with INFERENCE.MODEL_INVALID', () => {
    const truncated = Uint8Array.from([...varint(7 * 8 + 2), ...varint(1000), 1, 2, 3]);
    expect(() => readOnnxModelMetadata(truncated)).toThrow(expect.objectContaining({ code: 'INFERENCE.MODEL_INVALID' }));
  });
});
