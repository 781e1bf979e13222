import { assertFrontalView, decodeRadiograph, readRadiographMetadata } from './index';
import { type DicomFixtureOptions, type FixtureTransferSyntax, dicomFixtureStoredValues, makeDicomFixture } from './testing';
import { errorCodeOf, stripPart10Header } from './testing-support.spec-helper';

const UID: Record<FixtureTransferSyntax, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  rle: '1.2.840.10008.1.2.5',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
  'jpeg-extended-12bit': '1.2.840.10008.1.2.4.51',
  'jpeg-lossless': '1.2.840.10008.1.2.4.70',
  'jpeg-ls-lossless': '1.2.840.10008.1.2.4.80',
  'jpeg-ls-near-lossless': '1.2.840.10008.1.2.4.81',
  'jpeg2000-lossless': '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
};

const SIZE = { width: 64, height: 48 } as const;

/** Display grey the pipeline must give without a window: min–max of the stored values, then polarity. */
function minMaxDisplay(stored: Int32Array, monochrome1: boolean): Uint8Array {
  let lowest = Infinity;
  let highest = -Infinity;
  for (const v of stored) {
    lowest = Math.min(lowest, v);
    highest = Math.max(highest, v);
  }
  return Uint8Array.from(stored, (v) => {
    const level = Math.round(((v - lowest) / (highest - lowest)) * 255);
    return monochrome1 ? 255 - level : level;
  });
}

/** PS3.3 C.11.2.1.2 LINEAR window on modality values, written out independently of the library. */
function windowedDisplay(stored: Int32Array, opts: Required<Pick<DicomFixtureOptions, 'window'>> & DicomFixtureOptions): Uint8Array {
  const { center: c, width: w } = opts.window;
  const slope = opts.rescale?.slope ?? 1;
  const intercept = opts.rescale?.intercept ?? 0;
  return Uint8Array.from(stored, (v) => {
    const x = v * slope + intercept;
    let y: number;
    if (x <= c - 0.5 - (w - 1) / 2) y = 0;
    else if (x > c - 0.5 + (w - 1) / 2) y = 255;
    else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    const level = Math.round(y);
    return opts.photometric === 'MONOCHROME1' ? 255 - level : level;
  });
}

function differences(actual: Uint8Array, expected: Uint8Array): { max: number; mean: number } {
  expect(actual.length).toBe(expected.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / actual.length };
}

describe('decodeRadiograph: lossless transfer syntaxes reproduce the source exactly', () => {
  const cases: [FixtureTransferSyntax, 'MONOCHROME1' | 'MONOCHROME2', 8 | 10 | 12 | 16][] = [];
  for (const syntax of ['explicit-le', 'implicit-le', 'rle', 'jpeg-lossless', 'jpeg-ls-lossless', 'jpeg2000-lossless'] as const) {
    cases.push([syntax, 'MONOCHROME2', 12], [syntax, 'MONOCHROME1', syntax === 'implicit-le' ? 10 : 16]);
  }
  cases.push(['rle', 'MONOCHROME2', 8], ['jpeg-ls-lossless', 'MONOCHROME1', 8], ['explicit-le', 'MONOCHROME2', 8]);

  it.each(cases)('%s %s %i-bit', async (transferSyntax, photometric, bitsStored) => {
    const opts: DicomFixtureOptions = { ...SIZE, transferSyntax, photometric, bitsStored, seed: 3 };
    const { image, metadata } = await decodeRadiograph(await makeDicomFixture(opts));
    expect([image.width, image.height]).toEqual([SIZE.width, SIZE.height]);
    expect(metadata.transferSyntaxUid).toBe(UID[transferSyntax]);
    expect(metadata.photometricInterpretation).toBe(photometric);
    expect(differences(image.pixels, minMaxDisplay(dicomFixtureStoredValues(opts), photometric === 'MONOCHROME1')).max).toBe(0);
  });
});

describe('decodeRadiograph: lossy transfer syntaxes stay within their bounds', () => {
  // Bounds in 8-bit display levels under a full-range window; measured: baseline q90 max 10 mean 1.6,
  // extended 12-bit max 2 mean 0.3, JPEG-LS NEAR=2 max 1, JPEG 2000 ratio 5 max 4 mean 0.6.
  const cases: [FixtureTransferSyntax, 'MONOCHROME1' | 'MONOCHROME2', 8 | 12, number, number][] = [
    ['jpeg-baseline', 'MONOCHROME2', 8, 14, 2.5],
    ['jpeg-baseline', 'MONOCHROME1', 8, 14, 2.5],
    // A 15-level bias of the 12-bit decoder would show as mean ≈ 0.93 here (see jpeg-family.ts).
    ['jpeg-extended-12bit', 'MONOCHROME2', 12, 3, 0.5],
    ['jpeg-extended-12bit', 'MONOCHROME1', 12, 3, 0.5],
    ['jpeg-extended-12bit', 'MONOCHROME2', 8, 14, 2.5],
    ['jpeg-ls-near-lossless', 'MONOCHROME2', 12, 1, 0.3],
    ['jpeg-ls-near-lossless', 'MONOCHROME1', 8, 3, 1.5],
    ['jpeg2000', 'MONOCHROME2', 12, 6, 1],
    ['jpeg2000', 'MONOCHROME1', 12, 6, 1],
  ];

  it.each(cases)('%s %s %i-bit: max ≤ %i, mean ≤ %d', async (transferSyntax, photometric, bitsStored, maxBound, meanBound) => {
    const range = 2 ** bitsStored;
    const opts = { ...SIZE, transferSyntax, photometric, bitsStored, seed: 5, window: { center: range / 2, width: range } };
    const { image, metadata } = await decodeRadiograph(await makeDicomFixture(opts));
    expect(metadata.transferSyntaxUid).toBe(UID[transferSyntax]);
    const { max, mean } = differences(image.pixels, windowedDisplay(dicomFixtureStoredValues(opts), opts));
    expect(max).toBeLessThanOrEqual(maxBound);
    expect(mean).toBeLessThanOrEqual(meanBound);
  });
});

describe('decodeRadiograph: the DICOM grey pipeline', () => {
  it('applies Rescale Slope/Intercept and then the window', async () => {
    const opts = { ...SIZE, bitsStored: 12 as const, rescale: { slope: 0.5, intercept: -100 }, window: { center: 900, width: 800 } };
    const { image } = await decodeRadiograph(await makeDicomFixture(opts));
    const expected = windowedDisplay(dicomFixtureStoredValues(opts), opts);
    expect(differences(image.pixels, expected).max).toBe(0);
    expect(expected.some((v) => v === 0) && expected.some((v) => v === 255)).toBe(true); // the window clips both ends
  });

  it('inverts MONOCHROME1 so the same anatomy displays the same', async () => {
    const mono2 = await decodeRadiograph(await makeDicomFixture({ ...SIZE, photometric: 'MONOCHROME2' }));
    const mono1 = await decodeRadiograph(await makeDicomFixture({ ...SIZE, photometric: 'MONOCHROME1' }));
    expect(differences(mono1.image.pixels, mono2.image.pixels).max).toBeLessThanOrEqual(1); // rounding of ties only
  });

  it.each(['explicit-le', 'rle', 'jpeg-ls-lossless', 'jpeg2000-lossless', 'jpeg-lossless'] as const)(
    'reads signed pixels (%s) like their unsigned twins',
    async (transferSyntax) => {
      const unsigned = await decodeRadiograph(await makeDicomFixture({ ...SIZE, transferSyntax, bitsStored: 12 }));
      const signed = await decodeRadiograph(await makeDicomFixture({ ...SIZE, transferSyntax, bitsStored: 12, signed: true }));
      // Min–max is invariant to the 2^11 shift, so two's complement read correctly gives the same image.
      expect(differences(signed.image.pixels, unsigned.image.pixels).max).toBe(0);
    },
  );

  it.each(['explicit-le', 'jpeg-lossless', 'jpeg2000-lossless', 'rle'] as const)('takes frame 1 of a multi-frame object (%s)', async (transferSyntax) => {
    const opts = { ...SIZE, transferSyntax, seed: 11, bitsStored: 12 as const };
    const multi = await decodeRadiograph(await makeDicomFixture({ ...opts, frames: 3 }));
    expect(differences(multi.image.pixels, minMaxDisplay(dicomFixtureStoredValues(opts, 1), false)).max).toBe(0);
    expect(differences(multi.image.pixels, minMaxDisplay(dicomFixtureStoredValues(opts, 2), false)).max).toBeGreaterThan(0);
  });

  it('decodes a bare dataset without preamble or meta (implicit VR little endian implied)', async () => {
    const part10 = await makeDicomFixture({ ...SIZE, transferSyntax: 'implicit-le', photometric: 'MONOCHROME1', bitsStored: 10 });
    const bare = await decodeRadiograph(stripPart10Header(part10));
    const full = await decodeRadiograph(part10);
    expect(bare.metadata.transferSyntaxUid).toBe('1.2.840.10008.1.2');
    expect(bare.metadata.sopInstanceUid).toBe(full.metadata.sopInstanceUid);
    expect(differences(bare.image.pixels, full.image.pixels).max).toBe(0);
  });
});

describe('metadata', () => {
  const opts: DicomFixtureOptions = {
    ...SIZE,
    modality: 'DX',
    viewPosition: 'AP',
    patientId: 'PAT-42',
    studyInstanceUid: '2.25.1001',
    seriesInstanceUid: '2.25.1002',
    sopInstanceUid: '2.25.1003',
    acquisitionDateTime: '20240301101500',
    transferSyntax: 'jpeg-ls-lossless',
  };

  it('reads identifiers, view and acquisition time without decoding pixels', async () => {
    const metadata = readRadiographMetadata(await makeDicomFixture({ ...opts, timezoneOffset: '+0100' }));
    expect(metadata).toEqual({
      format: 'dicom',
      studyInstanceUid: '2.25.1001',
      seriesInstanceUid: '2.25.1002',
      sopInstanceUid: '2.25.1003',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
      patientId: 'PAT-42',
      modality: 'DX',
      viewPosition: 'AP',
      bodyPartExamined: 'CHEST',
      acquisitionDateTime: '2024-03-01T10:15:00+01:00',
      transferSyntaxUid: '1.2.840.10008.1.2.4.80',
      photometricInterpretation: 'MONOCHROME2',
      rows: 48,
      columns: 64,
      bitsStored: 12,
      samplesPerPixel: 1,
      bitsAllocated: 16,
      highBit: 11,
      pixelRepresentation: 0,
    });
  });

  it('uses the default offset when the object declares none', async () => {
    const bytes = await makeDicomFixture(opts);
    expect(readRadiographMetadata(bytes).acquisitionDateTime).toBe('2024-03-01T10:15:00Z');
    const decoded = await decodeRadiograph(bytes, { defaultTimezoneOffset: '-0500' });
    expect(decoded.metadata.acquisitionDateTime).toBe('2024-03-01T10:15:00-05:00');
  });

  it('still reads the metadata of a file truncated inside its pixels, while decoding refuses it', async () => {
    const bytes = await makeDicomFixture({ ...opts, transferSyntax: 'explicit-le' });
    const truncated = bytes.subarray(0, bytes.length - 1000);
    expect(readRadiographMetadata(truncated).sopInstanceUid).toBe('2.25.1003');
    expect(await errorCodeOf(() => decodeRadiograph(truncated))).toBe('IMAGING.UNREADABLE');
  });

  it('lets a frontal view through and refuses a lateral one', async () => {
    const frontal = await decodeRadiograph(await makeDicomFixture({ ...SIZE, viewPosition: 'PA' }));
    expect(() => assertFrontalView(frontal.metadata)).not.toThrow();
    const lateral = readRadiographMetadata(await makeDicomFixture({ ...SIZE, viewPosition: 'LL' }));
    expect(await errorCodeOf(() => assertFrontalView(lateral))).toBe('IMAGING.NOT_FRONTAL');
  });
});
