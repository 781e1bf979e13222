import sharp from 'sharp';
import { imagingError } from '../imaging.errors';
import { readJpegFrameHeader } from '../jpeg-header';
import type { GreyImage, RadiographMetadata } from '../radiograph.types';

// Hot loops call these locals: under Jest's sandboxed globals every `Math.x` lookup costs ~0.3 µs.
const { round } = Math;

type RasterFormat = 'png' | 'jpeg';

function uint32be(bytes: Uint8Array, at: number): number {
  return bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}

/** Size and bit depth from the PNG IHDR chunk or the JPEG SOF segment; no pixel decoding. */
export function rasterMetadata(bytes: Uint8Array, format: RasterFormat): RadiographMetadata {
  if (format === 'png') {
    // IHDR is the first chunk (PNG spec 11.2.2): width, height, bit depth after the 8-byte signature + 8-byte chunk header.
    const hasHeader = bytes.length >= 29 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR';
    if (!hasHeader) throw imagingError('IMAGING.UNREADABLE', 'The PNG file has no IHDR header');
    return { format, columns: uint32be(bytes, 16), rows: uint32be(bytes, 20), bitsStored: bytes[24] };
  }
  const header = readJpegFrameHeader(bytes);
  if (header === undefined) throw imagingError('IMAGING.UNREADABLE', 'The JPEG file has no frame header');
  return { format, columns: header.width, rows: header.height, bitsStored: header.precision };
}

/** ITU-R 601 luma with PIL's integer weights, as `Image.convert('L')` computes it. */
function luma601(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * 16-bit samples → 8 bits by min–max, as DICOM does without a window: exports of 10–12-bit radiographs
 * in 16-bit PNGs would otherwise come out nearly black.
 */
function stretchTo8Bit(values: Float64Array): Uint8Array {
  let lowest = Infinity;
  let highest = -Infinity;
  for (const v of values) {
    if (v < lowest) lowest = v;
    if (v > highest) highest = v;
  }
  const out = new Uint8Array(values.length);
  if (!(highest > lowest)) return out;
  const scale = 255 / (highest - lowest);
  for (let i = 0; i < values.length; i++) out[i] = round((values[i] - lowest) * scale);
  return out;
}

/**
 * PNG/JPEG via sharp (libvips): EXIF orientation applied, alpha flattened onto black, colour → luma,
 * 16-bit → 8-bit. Damaged or truncated files fail (failOn 'error') instead of decoding partly grey.
 */
export async function decodeRaster(bytes: Uint8Array): Promise<GreyImage> {
  const input = sharp(bytes, { failOn: 'error', autoOrient: true });
  const info = await input.metadata();
  const colour = (info.channels ?? 1) >= 3;
  const sixteenBit = info.depth === 'ushort';
  const colourspace = sixteenBit ? (colour ? 'rgb16' : 'grey16') : colour ? 'srgb' : 'b-w';
  const { data, info: out } = await input
    .flatten({ background: '#000000' })
    .toColourspace(colourspace)
    .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = out;
  const aligned = data.byteOffset % 2 === 0 ? data : new Uint8Array(data); // Uint16Array views need even offsets
  const samples = sixteenBit ? new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1) : data;
  const pixelCount = width * height;
  if (samples.length < pixelCount * channels) throw imagingError('IMAGING.UNREADABLE', 'The raster decoded to too few samples');
  if (!sixteenBit && channels === 1) return { width, height, pixels: new Uint8Array(data.subarray(0, pixelCount)) };
  const grey = new Float64Array(pixelCount);
  for (let p = 0; p < pixelCount; p++) {
    const at = p * channels;
    if (channels < 3) grey[p] = samples[at];
    else if (sixteenBit) grey[p] = 0.299 * samples[at] + 0.587 * samples[at + 1] + 0.114 * samples[at + 2];
    else grey[p] = luma601(samples[at], samples[at + 1], samples[at + 2]);
  }
  return { width, height, pixels: sixteenBit ? stretchTo8Bit(grey) : Uint8Array.from(grey) };
}
