import { imagingError } from '../imaging.errors';

/** How the Pixel Data of a transfer syntax is encoded (PS3.5 sections 8 and A.4). */
export type PixelEncoding = 'native-le' | 'native-be' | 'rle' | 'jpeg' | 'jpeg-ls' | 'jpeg2000';

interface TransferSyntax {
  readonly name: string;
  readonly encoding: PixelEncoding;
}

/**
 * Decodable transfer syntaxes. The JPEG process (baseline 8-bit, extended 12-bit, lossless) is chosen
 * from the codestream's SOF marker rather than the UID, so mislabelled files still decode.
 */
const TRANSFER_SYNTAXES: Readonly<Record<string, TransferSyntax>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native-le' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native-le' },
  // dicom-parser inflates the dataset with node:zlib; the pixels are then native.
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'native-le' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian (retired)', encoding: 'native-be' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 (Lossless Only)', encoding: 'jpeg2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg2000' },
};

/** The pixel encoding of a transfer syntax; IMAGING.UNSUPPORTED_TRANSFER_SYNTAX for any other. */
export function pixelEncodingOf(transferSyntaxUid: string): PixelEncoding {
  const syntax = TRANSFER_SYNTAXES[transferSyntaxUid];
  if (syntax === undefined) {
    throw imagingError('IMAGING.UNSUPPORTED_TRANSFER_SYNTAX', 'The transfer syntax of the image is not supported', undefined, {
      transferSyntaxUid,
    });
  }
  return syntax.encoding;
}

/** UIDs this library decodes, for capability statements and documentation. */
export const SUPPORTED_TRANSFER_SYNTAXES: readonly string[] = Object.keys(TRANSFER_SYNTAXES);
