import { parseDicomBytes } from './dicom/dicom-dataset';
import { resolveDefaultOffset } from './dicom/dicom-datetime';
import { dicomMetadata } from './dicom/dicom-metadata';
import { decodeDicomPixels } from './dicom/dicom-pixels';
import { asUnreadable, imagingError } from './imaging.errors';
import { detectImageFormat } from './image-format';
import type { DecodedRadiograph, DecodeOptions, ImageFormat, RadiographMetadata } from './radiograph.types';
import { decodeRaster, rasterMetadata } from './raster/raster-decoder';

function sniff(bytes: Uint8Array): ImageFormat {
  const format = bytes instanceof Uint8Array ? detectImageFormat(bytes) : undefined;
  if (format === undefined) {
    throw imagingError('IMAGING.NOT_AN_IMAGE', 'The content is not a DICOM, PNG or JPEG image', undefined, {
      byteLength: bytes instanceof Uint8Array ? bytes.length : undefined,
    });
  }
  return format;
}

/**
 * Only the metadata, without decoding pixels (cheap: DICOM parsing stops at the Pixel Data header).
 * For PNG/JPEG only size and bit depth are known; the DICOM identifiers stay undefined.
 * Throws AppError IMAGING.NOT_AN_IMAGE or IMAGING.UNREADABLE.
 */
export function readRadiographMetadata(bytes: Uint8Array, options: DecodeOptions = {}): RadiographMetadata {
  const defaultOffset = resolveDefaultOffset(options.defaultTimezoneOffset);
  const format = sniff(bytes);
  try {
    return format === 'dicom' ? dicomMetadata(parseDicomBytes(bytes, true), defaultOffset) : rasterMetadata(bytes, format);
  } catch (error) {
    throw asUnreadable(error, `${format} header`);
  }
}

/**
 * Decodes a radiograph to 8-bit display grey plus its metadata. Sniffs DICOM (Part 10 with preamble, and
 * bare datasets without preamble or meta), PNG and JPEG. DICOM: frame 1, any supported transfer syntax,
 * Modality LUT → VOI (LUT, window, else min–max) → MONOCHROME1 inversion → 8 bits.
 * Throws AppError IMAGING.NOT_AN_IMAGE (unknown bytes), IMAGING.UNREADABLE (corrupt/truncated),
 * IMAGING.UNSUPPORTED_TRANSFER_SYNTAX, IMAGING.NO_PIXELS; never anything else for bad bytes.
 */
export async function decodeRadiograph(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedRadiograph> {
  const defaultOffset = resolveDefaultOffset(options.defaultTimezoneOffset);
  const format = sniff(bytes);
  try {
    if (format === 'dicom') {
      const parsed = parseDicomBytes(bytes, false);
      const metadata = dicomMetadata(parsed, defaultOffset);
      return { image: await decodeDicomPixels(parsed), metadata };
    }
    const image = await decodeRaster(bytes);
    const metadata: RadiographMetadata = { ...rasterMetadata(bytes, format), rows: image.height, columns: image.width };
    return { image, metadata };
  } catch (error) {
    throw asUnreadable(error, `${format} image`);
  }
}
