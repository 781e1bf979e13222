import type { GreyImage } from '../radiograph.types';
import type { DecodedSamples } from './codecs/decoded-samples';
import { decodeJpegFamily } from './codecs/jpeg-family';
import { decodeRle } from './codecs/rle-codec';
import { decodeJpeg2000, decodeJpegLs } from './codecs/wasm-codecs';
import type { ParsedDicom } from './dicom-dataset';
import { toDisplayGrey } from './display-grey';
import { readGreyTransforms } from './grey-transforms';
import { firstFrameBytes } from './pixel-frame';
import { type PixelModule, readPixelModule } from './pixel-module';
import { nativeSamples, storedFrame } from './stored-values';
import { type PixelEncoding, pixelEncodingOf } from './transfer-syntax';

interface FrameSamples {
  readonly decoded: DecodedSamples;
  /** Native and RLE data carry whole allocated words (value bits must be extracted); codecs do not. */
  readonly wholeWords: boolean;
}

async function decodeFrame(frame: Uint8Array, module: PixelModule, encoding: PixelEncoding): Promise<FrameSamples> {
  switch (encoding) {
    case 'native-le':
    case 'native-be':
      return { decoded: nativeSamples(frame, module, encoding === 'native-be'), wholeWords: true };
    case 'rle':
      return {
        decoded: decodeRle(frame, module.columns, module.rows, module.samplesPerPixel, module.bitsAllocated),
        wholeWords: true,
      };
    case 'jpeg':
      return { decoded: await decodeJpegFamily(frame), wholeWords: false };
    case 'jpeg-ls':
      return { decoded: await decodeJpegLs(frame), wholeWords: false };
    case 'jpeg2000':
      return { decoded: await decodeJpeg2000(frame), wholeWords: false };
  }
}

/**
 * Frame 1 of a parsed DICOM object as display grey: decompress, extract stored values, then the PS3.3 C.11
 * pipeline. Throws IMAGING.NO_PIXELS, IMAGING.UNSUPPORTED_TRANSFER_SYNTAX, or lets codec failures through
 * for the caller to report as IMAGING.UNREADABLE.
 */
export async function decodeDicomPixels(parsed: ParsedDicom): Promise<GreyImage> {
  const { dataSet, transferSyntaxUid } = parsed;
  const module = readPixelModule(dataSet);
  const encoding = pixelEncodingOf(transferSyntaxUid);
  const frame = firstFrameBytes(dataSet, module, encoding);
  const { decoded, wholeWords } = await decodeFrame(frame, module, encoding);
  const stored = storedFrame(decoded, module, wholeWords);
  const transforms = readGreyTransforms(dataSet, module.pixelRepresentation === 1);
  return toDisplayGrey(stored, transforms, module.bitsStored);
}
