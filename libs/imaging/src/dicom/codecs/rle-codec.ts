import type { DecodedSamples } from './decoded-samples';

/** RLE header: a segment count and 15 segment offsets, each a little-endian uint32 (PS3.5 G.5). */
const HEADER_LENGTH = 64;
const MAX_SEGMENTS = 15;

function uint32le(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}

/**
 * One PackBits segment (PS3.5 G.3.1): n in 0..127 copies the next n+1 bytes, n in −127..−1 repeats the
 * next byte −n+1 times, −128 does nothing. Decodes exactly `expected` bytes; a segment that ends early is
 * corrupt, and any bytes beyond `expected` (encoders pad segments to even length) are ignored.
 */
export function unpackBitsSegment(bytes: Uint8Array, start: number, end: number, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  let read = start;
  let written = 0;
  while (written < expected && read < end) {
    const header = bytes[read++];
    const n = header > 127 ? header - 256 : header;
    if (n >= 0) {
      const count = Math.min(n + 1, expected - written, end - read);
      out.set(bytes.subarray(read, read + count), written);
      read += n + 1;
      written += count;
    } else if (n !== -128) {
      if (read >= end) break;
      const count = Math.min(-n + 1, expected - written);
      out.fill(bytes[read++], written, written + count);
      written += count;
    }
  }
  if (written < expected) throw new Error(`RLE segment ended after ${written} of ${expected} bytes`);
  return out;
}

/**
 * RLE Lossless frame (PS3.5 Annex G): one segment per byte of each sample, most significant byte first,
 * component by component. Returns the composed values interleaved per pixel, as native pixel data.
 */
export function decodeRle(frame: Uint8Array, width: number, height: number, samplesPerPixel: number, bitsAllocated: number): DecodedSamples {
  if (frame.length < HEADER_LENGTH) throw new Error('RLE frame shorter than its header');
  const bytesPerSample = bitsAllocated / 8;
  const segmentCount = uint32le(frame, 0);
  if (segmentCount !== samplesPerPixel * bytesPerSample || segmentCount > MAX_SEGMENTS) {
    throw new Error(`RLE frame has ${segmentCount} segments, expected ${samplesPerPixel * bytesPerSample}`);
  }
  const pixelCount = width * height;
  const samples = bytesPerSample === 1 ? new Uint8Array(pixelCount * samplesPerPixel) : new Uint16Array(pixelCount * samplesPerPixel);
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = uint32le(frame, 4 + segment * 4);
    const end = segment + 1 < segmentCount ? uint32le(frame, 8 + segment * 4) : frame.length;
    if (start < HEADER_LENGTH || end > frame.length || end < start) throw new Error('RLE segment offsets out of range');
    const plane = unpackBitsSegment(frame, start, end, pixelCount);
    const component = Math.floor(segment / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (segment % bytesPerSample));
    for (let p = 0, at = component; p < pixelCount; p++, at += samplesPerPixel) samples[at] |= plane[p] << shift;
  }
  return { width, height, components: samplesPerPixel, samples, signed: false };
}
