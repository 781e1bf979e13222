import type { ImageFormat } from './radiograph.types';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Value representations of PS3.5 table 6.2-1; used to tell explicit-VR datasets from implicit ones. */
const VALUE_REPRESENTATIONS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** How a DICOM object starts: a Part 10 file (preamble + "DICM"), or a bare dataset (ACR-NEMA style). */
export type DicomLayout = 'part10' | 'raw-explicit-le' | 'raw-implicit-le';

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((value, index) => bytes[at + index] === value);
}

function uint16le(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}

function uint32le(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16)) + bytes[at + 3] * 0x1000000;
}

function explicitVrAt(bytes: Uint8Array, at: number): string | undefined {
  const vr = String.fromCharCode(bytes[at], bytes[at + 1]);
  return VALUE_REPRESENTATIONS.has(vr) ? vr : undefined;
}

/**
 * A dataset without preamble has no magic number. PS3.5 7.1 orders elements by ascending tag, and such
 * files in practice start with the meta group (0002) or the identifying group (0008), so accept the bytes
 * when the first two elements parse with plausible tags and lengths in one of the two little-endian encodings.
 */
function rawDatasetLayout(bytes: Uint8Array): DicomLayout | undefined {
  if (bytes.length < 16) return undefined;
  const group = uint16le(bytes, 0);
  if (group !== 0x0002 && group !== 0x0008) return undefined;
  const vr = explicitVrAt(bytes, 4);
  if (vr !== undefined) {
    const longForm = ['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'UV'].includes(vr);
    const length = longForm ? uint32le(bytes, 8) : uint16le(bytes, 6);
    const next = (longForm ? 12 : 8) + length;
    if (length === 0xffffffff || next + 4 > bytes.length) return undefined;
    return uint16le(bytes, next) >= group ? 'raw-explicit-le' : undefined;
  }
  const length = uint32le(bytes, 4);
  const next = 8 + length;
  if (next + 4 > bytes.length) return undefined;
  const nextGroup = uint16le(bytes, next);
  return nextGroup >= group && nextGroup % 2 === 0 ? 'raw-implicit-le' : undefined;
}

/** Which DICOM layout the bytes have, if they are DICOM at all. */
export function detectDicomLayout(bytes: Uint8Array): DicomLayout | undefined {
  if (startsWith(bytes, [0x44, 0x49, 0x43, 0x4d], 128)) return 'part10';
  return rawDatasetLayout(bytes);
}

/** Sniffs the container from its leading bytes: DICOM (Part 10 or a bare dataset), PNG or JPEG. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  // SOI followed by the first marker's 0xFF (ITU T.81 B.1.1.2).
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  return detectDicomLayout(bytes) === undefined ? undefined : 'dicom';
}
