import { imagingError } from '../imaging.errors';
import type { DecodedSamples } from './codecs/decoded-samples';
import type { PixelModule } from './pixel-module';

/** One frame of stored pixel values (PS3.3 C.7.6.3.1), interleaved per pixel, ready for the LUT pipeline. */
export interface StoredFrame {
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly values: Int32Array;
  /** Photometric interpretation of `values` (a codec may have converted YCbCr to RGB). */
  readonly photometricInterpretation: string;
}

/** Allocated sample values of uncompressed Pixel Data (PS3.5 8.1.1), interleaved per pixel. */
export function nativeSamples(frame: Uint8Array, module: PixelModule, bigEndian: boolean): DecodedSamples {
  const { rows, columns, samplesPerPixel, bitsAllocated, planarConfiguration } = module;
  const count = rows * columns * samplesPerPixel;
  let raw: Uint8Array | Uint16Array;
  if (bitsAllocated === 8) {
    raw = frame.subarray(0, count);
  } else {
    raw = new Uint16Array(count);
    const view = new DataView(frame.buffer, frame.byteOffset, count * 2);
    for (let i = 0; i < count; i++) raw[i] = view.getUint16(i * 2, !bigEndian);
  }
  if (samplesPerPixel === 3 && planarConfiguration === 1) {
    const pixels = rows * columns;
    const interleaved = bitsAllocated === 8 ? new Uint8Array(count) : new Uint16Array(count);
    for (let p = 0; p < pixels; p++) {
      for (let c = 0; c < 3; c++) interleaved[p * 3 + c] = raw[c * pixels + p];
    }
    raw = interleaved;
  }
  return { width: columns, height: rows, components: samplesPerPixel, samples: raw, signed: false };
}

/**
 * Stored values from decoded samples. Native and RLE data carry whole allocated words, so the value is
 * bits HighBit−BitsStored+1..HighBit, sign-extended for PixelRepresentation 1 (PS3.5 8.1.1). Codec output
 * already holds just the samples: it is only sign-extended, never masked, so a lossy codec's overshoot past
 * 2^BitsStored−1 (seen in WG04 RG3_JPLY) stays bright instead of wrapping to black.
 */
export function storedFrame(decoded: DecodedSamples, module: PixelModule, wholeWords: boolean): StoredFrame {
  const { rows, columns, samplesPerPixel, bitsStored, highBit, pixelRepresentation } = module;
  if (decoded.width !== columns || decoded.height !== rows || decoded.components !== samplesPerPixel) {
    throw imagingError('IMAGING.UNREADABLE', 'The decoded frame does not match the image size in the header', undefined, {
      header: { rows, columns, samplesPerPixel },
      decoded: { rows: decoded.height, columns: decoded.width, components: decoded.components },
    });
  }
  const count = rows * columns * samplesPerPixel;
  if (decoded.samples.length < count) throw imagingError('IMAGING.UNREADABLE', 'The decoded frame has too few samples');
  const values = new Int32Array(count);
  const source = decoded.samples;
  const signed = pixelRepresentation === 1;
  const mask = bitsStored >= 31 ? -1 : (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  const extend = (value: number): number => ((value & mask) ^ signBit) - signBit;
  if (wholeWords) {
    const shift = highBit + 1 - bitsStored;
    for (let i = 0; i < count; i++) {
      const value = (source[i] >>> shift) & mask;
      values[i] = signed ? extend(value) : value;
    }
  } else if (signed && !decoded.signed) {
    for (let i = 0; i < count; i++) values[i] = extend(source[i]);
  } else {
    for (let i = 0; i < count; i++) values[i] = source[i];
  }
  const photometricInterpretation = decoded.convertedToRgb ? 'RGB' : module.photometricInterpretation;
  return { width: columns, height: rows, components: samplesPerPixel, values, photometricInterpretation };
}
