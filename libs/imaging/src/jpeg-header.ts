/** The frame header that decides which decoder a JPEG codestream needs (ITU T.81 B.2.2, ISO 14495-1). */
export interface JpegFrameHeader {
  /** SOF marker low byte: 0xC0 baseline, 0xC1 extended, 0xC2 progressive, 0xC3 lossless, 0xF7 JPEG-LS. */
  readonly sof: number;
  readonly precision: number;
  readonly height: number;
  readonly width: number;
}

/** Walks the marker segments up to the first SOF; undefined when the bytes are not a JPEG stream. */
export function readJpegFrameHeader(bytes: Uint8Array): JpegFrameHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at += 1; // fill byte (B.1.1.2)
      continue;
    }
    const isSof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    if (isSof) {
      if (at + 9 > bytes.length) return undefined;
      const height = (bytes[at + 5] << 8) | bytes[at + 6];
      const width = (bytes[at + 7] << 8) | bytes[at + 8];
      return { sof: marker, precision: bytes[at + 4], height, width };
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  return undefined;
}

/**
 * Drops fill bytes (extra 0xFF before a marker, ITU T.81 B.1.1.2) that follow entropy-coded data. IJG-based
 * encoders such as dcmtk's write "FF FF D9"; the pdf.js-derived 12-bit decoder rejects 0xFFFF as a marker.
 * Only bytes after a scan header are touched: inside entropy-coded data 0xFF is always followed by 0x00 or
 * a marker, so a second 0xFF can only be fill. Marker segment payloads are copied untouched.
 */
export function withoutFillBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let read = 2;
  let written = 2;
  out[0] = bytes[0];
  out[1] = bytes[1];
  const copy = (count: number): void => {
    out.set(bytes.subarray(read, read + count), written);
    read += count;
    written += count;
  };
  while (read + 1 < bytes.length) {
    const marker = bytes[read + 1];
    if (bytes[read] !== 0xff || marker === 0xd9 || read + 4 > bytes.length) break;
    if (marker === 0xff) {
      read += 1;
      continue;
    }
    const length = (bytes[read + 2] << 8) | bytes[read + 3];
    copy(2 + length);
    if (marker !== 0xda) continue;
    // Entropy-coded data up to the next marker that is not a stuffed 0x00 or a restart marker.
    while (read + 1 < bytes.length) {
      const next = bytes[read + 1];
      if (bytes[read] === 0xff && next === 0xff) {
        read += 1;
      } else if (bytes[read] === 0xff && next !== 0x00 && (next < 0xd0 || next > 0xd7)) {
        break;
      } else {
        copy(bytes[read] === 0xff ? 2 : 1);
      }
    }
  }
  copy(bytes.length - read);
  return out.subarray(0, written);
}
