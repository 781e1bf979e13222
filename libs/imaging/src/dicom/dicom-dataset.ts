import * as dicomParser from 'dicom-parser';
import { asUnreadable, imagingError } from '../imaging.errors';
import { detectDicomLayout } from '../image-format';

export type DataSet = dicomParser.DataSet;
export type DicomElement = dicomParser.Element;

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** Tag keys as dicom-parser spells them (xGGGGEEEE). */
export const TAG = {
  transferSyntaxUid: 'x00020010',
  pixelData: 'x7fe00010',
} as const;

export interface ParsedDicom {
  readonly dataSet: DataSet;
  /** From the file meta group, or the one implied by a bare dataset's encoding. */
  readonly transferSyntaxUid: string;
}

/** PS3.10 7.1: a 128-byte preamble and "DICM" precede the meta group. */
function withPreamble(bytes: Uint8Array): Uint8Array {
  const prefixed = new Uint8Array(132 + bytes.length);
  prefixed.set([0x44, 0x49, 0x43, 0x4d], 128);
  prefixed.set(bytes, 132);
  return prefixed;
}

function readTransferSyntax(dataSet: DataSet): string | undefined {
  const element = dataSet.elements[TAG.transferSyntaxUid];
  if (element === undefined) return undefined;
  // A raw dataset's implied syntax is held as a value, not as bytes (dicom-parser readPart10Header).
  const implied = (element as DicomElement & { Value?: unknown }).Value;
  if (typeof implied === 'string') return implied;
  return dataSet.string(TAG.transferSyntaxUid)?.replace(/\0/g, '').trim();
}

/**
 * Parses a Part 10 file or a bare dataset (no preamble and no meta, as ACR-NEMA-era files and some
 * archives write them). With `untilPixelData` parsing stops at the Pixel Data header, which is all that
 * metadata needs, and a file truncated inside its pixels still yields its attributes.
 */
export function parseDicomBytes(bytes: Uint8Array, untilPixelData: boolean): ParsedDicom {
  const layout = detectDicomLayout(bytes);
  if (layout === undefined) throw imagingError('IMAGING.NOT_AN_IMAGE', 'The bytes are not a DICOM object');
  const untilTag = untilPixelData ? TAG.pixelData : undefined;
  try {
    const metaWithoutPreamble = layout === 'raw-explicit-le' && bytes[0] === 0x02 && bytes[1] === 0x00;
    if (layout === 'part10' || metaWithoutPreamble) {
      // A meta group without preamble is rare but legal for media that strip it; restore the preamble.
      const part10 = layout === 'part10' ? bytes : withPreamble(bytes);
      const dataSet = dicomParser.parseDicom(part10, { untilTag });
      const transferSyntaxUid = readTransferSyntax(dataSet);
      if (!transferSyntaxUid) throw imagingError('IMAGING.UNREADABLE', 'The DICOM file meta lacks its transfer syntax');
      return { dataSet, transferSyntaxUid };
    }
    const transferSyntaxUid = layout === 'raw-explicit-le' ? EXPLICIT_VR_LITTLE_ENDIAN : IMPLICIT_VR_LITTLE_ENDIAN;
    const dataSet = dicomParser.parseDicom(bytes, { TransferSyntaxUID: transferSyntaxUid, untilTag });
    return { dataSet, transferSyntaxUid };
  } catch (error) {
    throw asUnreadable(error, 'DICOM dataset');
  }
}

/** First value of a string attribute, trimmed; undefined when absent or empty. */
export function stringValue(dataSet: DataSet, tag: string): string | undefined {
  const element = dataSet.elements[tag];
  if (element === undefined || element.length === 0) return undefined;
  const value = dataSet.string(tag, 0)?.replace(/\0/g, '').trim();
  return value ? value : undefined;
}

/** First value of a DS/IS attribute as a finite number. */
export function numberValue(dataSet: DataSet, tag: string): number | undefined {
  const text = stringValue(dataSet, tag);
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A US attribute; undefined when absent or too short. */
export function uint16Value(dataSet: DataSet, tag: string): number | undefined {
  const element = dataSet.elements[tag];
  if (element === undefined || element.length < 2) return undefined;
  return dataSet.uint16(tag);
}
