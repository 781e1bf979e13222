/** Samples of one frame after decompression, before any DICOM value transformation. */
export interface DecodedSamples {
  readonly width: number;
  readonly height: number;
  /** 1 (grey) or 3, interleaved per pixel. */
  readonly components: number;
  /** The codec's sample values; signed only when the codec itself reports signed output. */
  readonly samples: Uint8Array | Uint16Array | Int8Array | Int16Array;
  readonly signed: boolean;
  /** True when the codec already converted YCbCr to RGB (JPEG baseline/extended colour). */
  readonly convertedToRgb?: boolean;
}

/** Reinterprets a codec's output bytes as samples of its bit depth, copying them out of WASM memory. */
export function samplesFromBytes(
  bytes: Uint8Array,
  bitsPerSample: number,
  signed: boolean,
): Uint8Array | Uint16Array | Int8Array | Int16Array {
  const copy = new Uint8Array(bytes); // the view into WASM memory dies with the decoder
  if (bitsPerSample <= 8) return signed ? new Int8Array(copy.buffer) : copy;
  if (copy.length % 2 !== 0) throw new Error('odd byte count for 16-bit samples');
  return signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
}
