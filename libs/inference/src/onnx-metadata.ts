import { AppError } from '@brixia/common';

/**
 * What start-up needs from the ONNX ModelProto that onnxruntime-node does not expose: the
 * `metadata_props` (model_version, preprocessing_id, zone_order) and the default-domain opset.
 * Field numbers from onnx/onnx.proto3 (ModelProto: opset_import = 8, metadata_props = 14;
 * OperatorSetIdProto: domain = 1, version = 2; StringStringEntryProto: key = 1, value = 2).
 * Only the top level of the message is walked; the graph (field 7) is skipped by its length.
 */
export interface OnnxModelMetadata {
  readonly metadataProps: Readonly<Record<string, string>>;
  /** Version of the default ("" / ai.onnx) operator set, undefined when the model does not import it. */
  readonly defaultOpset?: number;
}

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const MODEL_OPSET_IMPORT = 8;
const MODEL_METADATA_PROPS = 14;

class ProtoReader {
  private pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let factor = 1;
    for (let shift = 0; shift < 64; shift += 7) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.bytes[this.pos++];
      // Multiplication instead of bit shifts: lengths may exceed 2^31 in principle.
      result += (byte & 0x7f) * factor;
      if ((byte & 0x80) === 0) return result;
      factor *= 128;
    }
    throw new Error('varint too long');
  }

  /** Returns [fieldNumber, wireType]. */
  tag(): [number, number] {
    const tag = this.varint();
    return [Math.floor(tag / 8), tag % 8];
  }

  /** Reads a length-delimited field and returns a reader over its payload. */
  sub(): ProtoReader {
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) throw new Error('truncated length-delimited field');
    this.pos = start + length;
    return new ProtoReader(this.bytes, start, start + length);
  }

  string(): string {
    const sub = this.sub();
    return Buffer.from(sub.bytes.buffer, sub.bytes.byteOffset + sub.pos, sub.end - sub.pos).toString('utf8');
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.sub();
        return;
      case WIRE_I32:
        this.pos += 4;
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }
}

function readStringPair(reader: ProtoReader): [string, string] {
  let key = '';
  let value = '';
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === WIRE_LEN) key = reader.string();
    else if (field === 2 && wire === WIRE_LEN) value = reader.string();
    else reader.skip(wire);
  }
  return [key, value];
}

function readOpset(reader: ProtoReader): { domain: string; version: number } {
  let domain = '';
  let version = 0;
  while (!reader.done) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === WIRE_LEN) domain = reader.string();
    else if (field === 2 && wire === WIRE_VARINT) version = reader.varint();
    else reader.skip(wire);
  }
  return { domain, version };
}

/** Parses the top level of a serialized ONNX ModelProto. Throws INFERENCE.MODEL_INVALID on malformed bytes. */
export function readOnnxModelMetadata(bytes: Uint8Array): OnnxModelMetadata {
  const metadataProps: Record<string, string> = {};
  let defaultOpset: number | undefined;
  try {
    const reader = new ProtoReader(bytes);
    while (!reader.done) {
      const [field, wire] = reader.tag();
      if (field === MODEL_METADATA_PROPS && wire === WIRE_LEN) {
        const [key, value] = readStringPair(reader.sub());
        metadataProps[key] = value;
      } else if (field === MODEL_OPSET_IMPORT && wire === WIRE_LEN) {
        const opset = readOpset(reader.sub());
        if (opset.domain === '' || opset.domain === 'ai.onnx') defaultOpset = opset.version;
      } else {
        reader.skip(wire);
      }
    }
  } catch (cause) {
    throw new AppError('INFERENCE.MODEL_INVALID', 'The ONNX file is not a readable ModelProto', { cause });
  }
  return { metadataProps, defaultOpset };
}
