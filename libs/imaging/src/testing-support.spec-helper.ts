import { isAppError } from '@brixia/common';

/**
 * Spec-only helpers (not exported by the library). `.spec-helper.ts` keeps them out of testMatch.
 */

/** The dataset of a Part 10 file without its preamble, "DICM" and meta group (an ACR-NEMA-style object). */
export function stripPart10Header(part10: Uint8Array): Buffer {
  const bytes = Buffer.from(part10);
  const metaLength = bytes.readUInt32LE(132 + 8); // (0002,0000) UL value: bytes after this element
  return bytes.subarray(132 + 12 + metaLength);
}

/** Byte offset of a top-level element's tag in little-endian data (first match after the meta group). */
export function findTag(bytes: Uint8Array, group: number, element: number, from = 132): number {
  for (let at = from; at + 4 <= bytes.length; at += 2) {
    if (bytes[at] === (group & 0xff) && bytes[at + 1] === group >> 8 && bytes[at + 2] === (element & 0xff) && bytes[at + 3] === element >> 8) {
      return at;
    }
  }
  return -1;
}

/** Runs `action` and returns the AppError code it threw, or a description of what else happened. */
export async function errorCodeOf(action: () => unknown): Promise<string> {
  try {
    await action();
    return 'no error';
  } catch (error) {
    return isAppError(error) ? error.code : `non-AppError: ${String(error)}`;
  }
}
