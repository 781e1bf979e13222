import { data as dicomData } from 'dcmjs';
import { type CompressedFixtureSyntax, encodeWithCli, type FixtureTransferSyntax, NATIVE_FIXTURE_SYNTAX_UIDS } from './fixture-encoders';
import { syntheticRadiograph } from './synthetic-radiograph';

export interface DicomFixtureOptions {
  transferSyntax?: FixtureTransferSyntax;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  bitsStored?: 8 | 10 | 12 | 16;
  width?: number;
  height?: number;
  seed?: number;
  modality?: 'CR' | 'DX';
  viewPosition?: string;
  patientId?: string;
  /** IssuerOfPatientID (0010,0021). */
  issuerOfPatientId?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** DICOM DT, e.g. 20240301101500. */
  acquisitionDateTime?: string;
  /** TimezoneOffsetFromUTC (0008,0201), e.g. '+0100'. */
  timezoneOffset?: string;
  rescale?: { slope: number; intercept: number };
  window?: { center: number; width: number };
  /** Extra (beyond the shared contract): frames in the object; frame k > 1 uses seed + k − 1. Default 1. */
  frames?: number;
  /** Extra: PixelRepresentation 1, stored = synthetic − 2^(bitsStored−1). Default false. */
  signed?: boolean;
  /** Extra: attributes written last, over the generated ones (e.g. BodyPartExamined, PixelRepresentation), for refusal tests. */
  overrides?: Readonly<Record<string, unknown>>;
}

const SOP_CLASS = { CR: '1.2.840.10008.5.1.4.1.1.1', DX: '1.2.840.10008.5.1.4.1.1.1.1' } as const;

/** Deterministic UIDs under the 2.25 (UUID-derived) root, which anyone may use (PS3.5 B.2). */
function fixtureUid(seed: number, kind: number): string {
  return `2.25.${(1n << 64n) + BigInt(Math.abs(Math.trunc(seed))) * 10n + BigInt(kind)}`;
}

function defaultBits(syntax: FixtureTransferSyntax): 8 | 12 {
  return syntax === 'jpeg-baseline' ? 8 : 12;
}

/**
 * The stored values a fixture holds for frame `frame` (1-based): the synthetic radiograph, inverted for
 * MONOCHROME1 (so the display image is the same anatomy), shifted to two's complement when signed.
 */
export function dicomFixtureStoredValues(opts: DicomFixtureOptions = {}, frame = 1): Int32Array {
  const syntax = opts.transferSyntax ?? 'explicit-le';
  const bitsStored = opts.bitsStored ?? defaultBits(syntax);
  const source = syntheticRadiograph({ width: opts.width ?? 256, height: opts.height ?? 256, seed: (opts.seed ?? 1) + frame - 1, bitsStored });
  const maxValue = 2 ** bitsStored - 1;
  const offset = opts.signed ? 2 ** (bitsStored - 1) : 0;
  return Int32Array.from(source.pixels, (v) => (opts.photometric === 'MONOCHROME1' ? maxValue - v : v) - offset);
}

function pixelBytes(values: Int32Array, bitsAllocated: number): ArrayBuffer {
  if (bitsAllocated === 8) return Uint8Array.from(values, (v) => v & 0xff).buffer;
  const words = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) words[i] = values[i] & 0xffff; // little-endian host: LE words
  return words.buffer;
}

function assertCompatible(syntax: FixtureTransferSyntax, bitsStored: number): void {
  if (syntax === 'jpeg-baseline' && bitsStored !== 8) throw new RangeError('jpeg-baseline fixtures need bitsStored 8');
  // dcmtk would rescale other depths to the JPEG precision (see FIXTURE_ENCODERS).
  if (syntax === 'jpeg-extended-12bit' && bitsStored !== 12 && bitsStored !== 8) {
    throw new RangeError('jpeg-extended-12bit fixtures need bitsStored 12 (or 8)');
  }
}

function dataset(opts: DicomFixtureOptions, bitsStored: number, pixelData: ArrayBuffer[], encapsulated: boolean): Record<string, unknown> {
  const seed = opts.seed ?? 1;
  const modality = opts.modality ?? 'CR';
  const dt = opts.acquisitionDateTime ?? '20240301101500';
  const bitsAllocated = bitsStored === 8 ? 8 : 16;
  const optional: Record<string, unknown> = {};
  if (opts.timezoneOffset !== undefined) optional.TimezoneOffsetFromUTC = opts.timezoneOffset;
  if (opts.rescale) Object.assign(optional, { RescaleSlope: opts.rescale.slope, RescaleIntercept: opts.rescale.intercept, RescaleType: 'US' });
  if (opts.window) Object.assign(optional, { WindowCenter: opts.window.center, WindowWidth: opts.window.width });
  if ((opts.frames ?? 1) > 1) optional.NumberOfFrames = String(opts.frames);
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['DERIVED', 'SECONDARY'],
    SOPClassUID: SOP_CLASS[modality],
    SOPInstanceUID: opts.sopInstanceUid ?? fixtureUid(seed, 3),
    StudyDate: dt.slice(0, 8),
    StudyTime: dt.slice(8, 14) || '000000',
    AcquisitionDateTime: dt,
    Modality: modality,
    PatientName: 'Synthetic^Fixture',
    PatientID: opts.patientId ?? `SYNTH-${seed}`,
    ...(opts.issuerOfPatientId ? { IssuerOfPatientID: opts.issuerOfPatientId } : {}),
    BodyPartExamined: 'CHEST',
    ViewPosition: opts.viewPosition ?? 'PA',
    StudyInstanceUID: opts.studyInstanceUid ?? fixtureUid(seed, 1),
    SeriesInstanceUID: opts.seriesInstanceUid ?? fixtureUid(seed, 2),
    SeriesNumber: '1',
    InstanceNumber: '1',
    SamplesPerPixel: 1,
    PhotometricInterpretation: opts.photometric ?? 'MONOCHROME2',
    Rows: opts.height ?? 256,
    Columns: opts.width ?? 256,
    BitsAllocated: bitsAllocated,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: opts.signed ? 1 : 0,
    ...optional,
    ...(opts.overrides ?? {}),
    PixelData: pixelData,
    _vrMap: { PixelData: encapsulated || bitsAllocated === 8 ? 'OB' : 'OW' },
  };
}

function part10(transferSyntaxUid: string, body: Record<string, unknown>): Buffer {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: body.SOPClassUID,
    MediaStorageSOPInstanceUID: body.SOPInstanceUID,
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: '2.25.302470108263545123456789012345678901',
    ImplementationVersionName: 'BRIXIA_FIXTURE',
  };
  const dict = new dicomData.DicomDict(dicomData.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dicomData.DicomMetaDictionary.denaturalizeDataset(body);
  return Buffer.from(dict.write());
}

/**
 * A synthetic CR/DX chest radiograph as a DICOM Part 10 file in the requested transfer syntax. Native
 * syntaxes are written by dcmjs; compressed ones are encoded by dcmtk or GDCM (see FIXTURE_ENCODERS for
 * the Debian packages) and rewrapped by dcmjs so every attribute is exactly as requested.
 */
export async function makeDicomFixture(opts: DicomFixtureOptions = {}): Promise<Buffer> {
  const syntax = opts.transferSyntax ?? 'explicit-le';
  const bitsStored = opts.bitsStored ?? defaultBits(syntax);
  assertCompatible(syntax, bitsStored);
  const frameCount = opts.frames ?? 1;
  const resolved: DicomFixtureOptions = { ...opts, bitsStored: bitsStored as 8 | 10 | 12 | 16 };
  const values = Array.from({ length: frameCount }, (_, k) => dicomFixtureStoredValues(resolved, k + 1));
  const bitsAllocated = bitsStored === 8 ? 8 : 16;
  const concatenated = new Int32Array(values.reduce((n, v) => n + v.length, 0));
  values.forEach((v, k) => concatenated.set(v, k * v.length));
  const native = dataset(resolved, bitsStored, [pixelBytes(concatenated, bitsAllocated)], false);
  if (syntax === 'explicit-le' || syntax === 'implicit-le') return part10(NATIVE_FIXTURE_SYNTAX_UIDS[syntax], native);

  const encoded = await encodeWithCli(part10(NATIVE_FIXTURE_SYNTAX_UIDS['explicit-le'], native), syntax as CompressedFixtureSyntax, frameCount);
  const body = dataset(resolved, bitsStored, encoded.frames.map((frame) => frame.slice().buffer), true);
  if (encoded.lossy) Object.assign(body, { LossyImageCompression: '01', LossyImageCompressionMethod: encoded.method });
  return part10(encoded.transferSyntaxUid, body);
}
