import * as dicomParser from 'dicom-parser';
import { imagingError } from '../imaging.errors';
import { type DataSet, type DicomElement, TAG } from './dicom-dataset';
import { type PixelModule, nativeFrameLength } from './pixel-module';
import type { PixelEncoding } from './transfer-syntax';

function pixelDataElement(dataSet: DataSet): DicomElement {
  const element = dataSet.elements[TAG.pixelData];
  if (element === undefined || (element.length === 0 && !element.encapsulatedPixelData)) {
    throw imagingError('IMAGING.NO_PIXELS', 'The DICOM object has no Pixel Data');
  }
  return element;
}

function nativeFirstFrame(dataSet: DataSet, element: DicomElement, module: PixelModule): Uint8Array {
  if (element.encapsulatedPixelData) {
    throw imagingError('IMAGING.UNREADABLE', 'Pixel Data is encapsulated under an uncompressed transfer syntax');
  }
  const frameLength = nativeFrameLength(module);
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if (available < frameLength) {
    throw imagingError('IMAGING.UNREADABLE', 'The Pixel Data is shorter than one frame (truncated file?)', undefined, {
      expectedBytes: frameLength,
      availableBytes: Math.max(0, available),
    });
  }
  return dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + frameLength);
}

/** Whether a fragment begins a new codestream of the same kind as the first one (SOI, SOC or RLE header). */
function startsCodestream(fragment: Uint8Array, encoding: PixelEncoding): boolean {
  if (fragment.length < 8) return false;
  if (encoding === 'rle') return fragment[4] === 64 && fragment[5] === 0 && fragment[6] === 0 && fragment[7] === 0;
  if (encoding === 'jpeg2000') return (fragment[0] === 0xff && fragment[1] === 0x4f) || (fragment[4] === 0x6a && fragment[5] === 0x50);
  return fragment[0] === 0xff && fragment[1] === 0xd8;
}

/**
 * Frame 1 of encapsulated Pixel Data (PS3.5 A.4). One frame: all fragments belong to it. Several frames:
 * the Basic Offset Table when present, else one fragment per frame when the counts agree, else the
 * fragments up to the next one that starts a codestream.
 */
function encapsulatedFirstFrame(dataSet: DataSet, element: DicomElement, module: PixelModule, encoding: PixelEncoding): Uint8Array {
  const fragments = element.fragments ?? [];
  if (!element.encapsulatedPixelData) {
    throw imagingError('IMAGING.UNREADABLE', 'Pixel Data is not encapsulated under a compressed transfer syntax');
  }
  if (fragments.length === 0) throw imagingError('IMAGING.NO_PIXELS', 'The encapsulated Pixel Data has no fragments');
  for (const fragment of fragments) {
    if (fragment.position + fragment.length > dataSet.byteArray.length) {
      throw imagingError('IMAGING.UNREADABLE', 'A Pixel Data fragment runs past the end of the file (truncated file?)');
    }
  }
  const fragmentBytes = (index: number): Uint8Array =>
    dataSet.byteArray.subarray(fragments[index].position, fragments[index].position + fragments[index].length);
  if (module.numberOfFrames === 1 || fragments.length === 1) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
  }
  const offsets = element.basicOffsetTable ?? [];
  if (offsets.length >= 2) return dicomParser.readEncapsulatedImageFrame(dataSet, element, 0);
  if (fragments.length === module.numberOfFrames) return fragmentBytes(0);
  let count = 1;
  while (count < fragments.length && !startsCodestream(fragmentBytes(count), encoding)) count++;
  return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, count);
}

/** The bytes of frame 1 (multi-frame objects: BS-Net scores one image), native or compressed. */
export function firstFrameBytes(dataSet: DataSet, module: PixelModule, encoding: PixelEncoding): Uint8Array {
  const element = pixelDataElement(dataSet);
  if (encoding === 'native-le' || encoding === 'native-be') return nativeFirstFrame(dataSet, element, module);
  return encapsulatedFirstFrame(dataSet, element, module, encoding);
}
