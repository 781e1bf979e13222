import { type DataSet, type DicomElement, numberValue, stringValue } from './dicom-dataset';

/** A LUT of the Modality or VOI LUT Sequence (PS3.3 C.11.1.1 / C.11.2.1.1). */
export interface LookupTable {
  /** Input value mapped to the first entry; inputs below/above map to the first/last entry. */
  readonly firstMapped: number;
  /** Output range is 0 .. 2^bits − 1. */
  readonly bits: number;
  readonly data: Uint16Array;
}

export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface WindowSetting {
  readonly center: number;
  readonly width: number;
}

/** Everything between stored values and display grey (PS3.3 C.11, figure C.11-1). */
export interface GreyTransforms {
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly modalityLut?: LookupTable;
  readonly voiLut?: LookupTable;
  readonly window?: WindowSetting;
  readonly voiLutFunction: VoiLutFunction;
  /** Presentation LUT Shape INVERSE (C.11.6): flips the output like MONOCHROME1 does. */
  readonly presentationInverse: boolean;
}

const TAGS = {
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  voiLutFunction: 'x00281056',
  presentationLutShape: 'x20500020',
  modalityLutSequence: 'x00283000',
  lutDescriptor: 'x00283002',
  lutData: 'x00283006',
  voiLutSequence: 'x00283010',
} as const;

function uint16At(dataSet: DataSet, element: DicomElement, index: number): number {
  return dataSet.byteArrayParser.readUint16(dataSet.byteArray, element.dataOffset + index * 2);
}

/**
 * The first item of a LUT sequence. The descriptor's first value 0 means 65536 entries; its second is SS
 * when the pixel data are signed; LUT Data holds 8-bit entries when its length equals the entry count
 * (some writers pack bytes despite the descriptor), else 16-bit words. A malformed LUT is ignored so the
 * window or min–max still gives an image.
 */
export function readLookupTable(dataSet: DataSet, sequenceTag: string, signedInput: boolean): LookupTable | undefined {
  const item = dataSet.elements[sequenceTag]?.items?.[0]?.dataSet;
  if (item === undefined) return undefined;
  const descriptor = item.elements[TAGS.lutDescriptor];
  const lutData = item.elements[TAGS.lutData];
  if (descriptor === undefined || lutData === undefined || descriptor.length < 6) return undefined;
  const entries = uint16At(item, descriptor, 0) || 65536;
  const rawFirst = uint16At(item, descriptor, 1);
  const firstMapped = signedInput && rawFirst >= 0x8000 ? rawFirst - 0x10000 : rawFirst;
  const bits = uint16At(item, descriptor, 2);
  if (bits < 1 || bits > 16 || lutData.dataOffset + lutData.length > item.byteArray.length) return undefined;
  const data = new Uint16Array(entries);
  if (lutData.length === entries || lutData.length === entries + 1) {
    for (let i = 0; i < entries; i++) data[i] = item.byteArray[lutData.dataOffset + i];
  } else if (lutData.length >= entries * 2) {
    for (let i = 0; i < entries; i++) data[i] = uint16At(item, lutData, i);
  } else {
    return undefined;
  }
  return { firstMapped, bits, data };
}

function voiLutFunction(dataSet: DataSet): VoiLutFunction {
  const value = stringValue(dataSet, TAGS.voiLutFunction)?.toUpperCase();
  return value === 'LINEAR_EXACT' || value === 'SIGMOID' ? value : 'LINEAR';
}

/** Reads the Modality LUT, VOI LUT / window and presentation attributes of the top-level dataset. */
export function readGreyTransforms(dataSet: DataSet, signedPixels: boolean): GreyTransforms {
  const center = numberValue(dataSet, TAGS.windowCenter);
  const width = numberValue(dataSet, TAGS.windowWidth);
  const slope = numberValue(dataSet, TAGS.rescaleSlope);
  const modalityLut = readLookupTable(dataSet, TAGS.modalityLutSequence, signedPixels);
  return {
    // A zero slope (written by some broken exporters) would flatten the image to one value: treat it as absent.
    rescaleSlope: slope === undefined || slope === 0 ? 1 : slope,
    rescaleIntercept: numberValue(dataSet, TAGS.rescaleIntercept) ?? 0,
    modalityLut,
    // VOI LUT input is the Modality LUT output: signed only if the stored values are and no LUT made them unsigned.
    voiLut: readLookupTable(dataSet, TAGS.voiLutSequence, signedPixels && modalityLut === undefined),
    window: center === undefined || width === undefined ? undefined : { center, width },
    voiLutFunction: voiLutFunction(dataSet),
    presentationInverse: stringValue(dataSet, TAGS.presentationLutShape)?.toUpperCase() === 'INVERSE',
  };
}
