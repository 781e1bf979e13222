import { imagingError } from '../imaging.errors';
import { type DataSet, numberValue, stringValue, uint16Value } from './dicom-dataset';

/** Image Pixel module attributes (PS3.3 C.7.6.3) needed to interpret stored values. */
export interface PixelModule {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  /** 0 interleaved (R1G1B1R2…), 1 by plane (R…G…B…). */
  readonly planarConfiguration: number;
  readonly numberOfFrames: number;
}

const TAGS = {
  samplesPerPixel: 'x00280002',
  photometricInterpretation: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
} as const;

/** Photometric interpretations whose values can become a grey image. */
const KNOWN_PHOTOMETRIC = new Set(['MONOCHROME1', 'MONOCHROME2', 'RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_ICT', 'YBR_RCT']);

export function readPixelModule(dataSet: DataSet): PixelModule {
  const rows = uint16Value(dataSet, TAGS.rows) ?? 0;
  const columns = uint16Value(dataSet, TAGS.columns) ?? 0;
  if (rows === 0 || columns === 0) {
    throw imagingError('IMAGING.NO_PIXELS', 'The DICOM object has no image (Rows/Columns missing or zero)');
  }
  const bitsAllocated = uint16Value(dataSet, TAGS.bitsAllocated) ?? 0;
  const bitsStored = uint16Value(dataSet, TAGS.bitsStored) ?? bitsAllocated;
  const highBit = uint16Value(dataSet, TAGS.highBit) ?? bitsStored - 1;
  const samplesPerPixel = uint16Value(dataSet, TAGS.samplesPerPixel) ?? 1;
  const photometricInterpretation = (stringValue(dataSet, TAGS.photometricInterpretation) ?? 'MONOCHROME2').toUpperCase();
  const module: PixelModule = {
    rows,
    columns,
    samplesPerPixel,
    photometricInterpretation,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: uint16Value(dataSet, TAGS.pixelRepresentation) ?? 0,
    planarConfiguration: uint16Value(dataSet, TAGS.planarConfiguration) ?? 0,
    numberOfFrames: Math.max(1, Math.trunc(numberValue(dataSet, TAGS.numberOfFrames) ?? 1)),
  };
  assertInterpretable(module);
  return module;
}

function assertInterpretable(module: PixelModule): void {
  const { bitsAllocated, bitsStored, highBit, samplesPerPixel, photometricInterpretation } = module;
  const problems: string[] = [];
  if (bitsAllocated !== 8 && bitsAllocated !== 16) problems.push(`BitsAllocated ${bitsAllocated}`);
  if (bitsStored < 1 || bitsStored > bitsAllocated) problems.push(`BitsStored ${bitsStored}`);
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) problems.push(`HighBit ${highBit}`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) problems.push(`SamplesPerPixel ${samplesPerPixel}`);
  if (!KNOWN_PHOTOMETRIC.has(photometricInterpretation)) problems.push(`PhotometricInterpretation ${photometricInterpretation}`);
  const monochrome = photometricInterpretation.startsWith('MONOCHROME');
  if (monochrome !== (samplesPerPixel === 1)) problems.push('samples per pixel do not match the photometric interpretation');
  if (problems.length > 0) {
    throw imagingError('IMAGING.UNREADABLE', 'The image pixel description is not supported', undefined, { problems });
  }
}

/** Bytes of one uncompressed frame. */
export function nativeFrameLength(module: PixelModule): number {
  return module.rows * module.columns * module.samplesPerPixel * (module.bitsAllocated / 8);
}
