import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DecodedRadiograph, type GreyImage, decodeRadiograph, readRadiographMetadata } from './index';
import { dicomSamplesDir, unpackReferenceSample } from './testing';

/**
 * Real radiographs from ../shared/dicom-samples (research use; read in place, never copied). The whole
 * suite skips where that folder is absent.
 */
const samplesDir = dicomSamplesDir();
// Locals, not Math.x: Jest's sandboxed globals make each Math property lookup slow in 3-Mpixel loops.
const { abs, max: larger } = Math;
const describeWithSamples = samplesDir === undefined ? describe.skip : describe;

type ManifestRow = Record<string, string>;

function parseCsv(text: string): ManifestRow[] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      rows.push([...row, field]);
      row = [];
      field = '';
    } else if (c !== '\r') {
      field += c;
    }
  }
  if (field || row.length) rows.push([...row, field]);
  const [header, ...body] = rows;
  return body.map((values) => Object.fromEntries(header.map((name, k) => [name, values[k] ?? ''])));
}

function stats(image: GreyImage): { mean: number; p1: number; p99: number } {
  const histogram = new Array<number>(256).fill(0);
  let sum = 0;
  for (const v of image.pixels) {
    histogram[v]++;
    sum += v;
  }
  const percentile = (q: number): number => {
    let seen = 0;
    for (let level = 0; level < 256; level++) {
      seen += histogram[level];
      if (seen >= q * image.pixels.length) return level;
    }
    return 255;
  };
  return { mean: sum / image.pixels.length, p1: percentile(0.01), p99: percentile(0.99) };
}

/** Mean grey of a box centred at (u, v) in normalised coordinates, half-size 0.06. */
function boxMean(image: GreyImage, u: number, v: number): number {
  const x0 = Math.round((u - 0.06) * image.width);
  const y0 = Math.round((v - 0.06) * image.height);
  const side = Math.round(0.12 * Math.min(image.width, image.height));
  let sum = 0;
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) sum += image.pixels[y * image.width + x];
  return sum / (side * side);
}

function differences(a: GreyImage, b: GreyImage): { max: number; mean: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.pixels.length; i++) {
    const d = abs(a.pixels[i] - b.pixels[i]);
    max = larger(max, d);
    sum += d;
  }
  return { max, mean: sum / a.pixels.length };
}

describeWithSamples('shared DICOM samples', () => {
  const dir = samplesDir ?? '';
  const manifest = samplesDir === undefined ? [] : parseCsv(readFileSync(join(dir, 'manifest.csv'), 'utf8'));
  const dicomRows = manifest.filter((row) => row.file.endsWith('.dcm'));
  const decoded = new Map<string, DecodedRadiograph>();
  let reference: DecodedRadiograph;

  beforeAll(async () => {
    const unpacked = await unpackReferenceSample(dir);
    try {
      reference = await decodeRadiograph(readFileSync(unpacked.path));
    } finally {
      unpacked.cleanup();
    }
    for (const row of dicomRows) decoded.set(row.file, await decodeRadiograph(readFileSync(join(dir, row.file))));
  });

  it('lists the expected files', () => {
    expect(dicomRows.length).toBeGreaterThanOrEqual(11);
  });

  it('decodes every file with the size, syntax and photometric interpretation of the manifest', () => {
    for (const row of dicomRows) {
      const { image, metadata } = decoded.get(row.file) as DecodedRadiograph;
      const [rows, columns] = row.rows_x_cols.split('x').map(Number);
      const summary = { file: row.file, rows: image.height, columns: image.width, ts: metadata.transferSyntaxUid, pi: metadata.photometricInterpretation };
      expect(summary).toEqual({ file: row.file, rows, columns, ts: row.transfer_syntax_uid, pi: row.photometric_interpretation });
      expect(image.pixels.length).toBe(rows * columns);
    }
  });

  it.each(['RG3_J2KR.dcm', 'RG3_JLSL.dcm', 'RG3_JPLL.dcm', 'RG3_RLE.dcm'])('decodes lossless %s exactly like the uncompressed reference', (file) => {
    expect(differences((decoded.get(file) as DecodedRadiograph).image, reference.image).max).toBe(0);
  });

  it.each([
    // Stored-value errors of the manifest (J2KI 9, JLSN 4, JPLY 48 with overshoot) through the 1024-wide window;
    // measured: J2KI max 3 mean 0.19, JLSN max 1 mean 0.29, JPLY max 12 mean 0.32.
    ['RG3_J2KI.dcm', 4, 0.3],
    ['RG3_JLSN.dcm', 2, 0.4],
    ['RG3_JPLY.dcm', 14, 0.5],
  ])('decodes lossy %s close to the reference (max ≤ %i, mean ≤ %d)', (file, maxBound, meanBound) => {
    const { max, mean } = differences((decoded.get(file as string) as DecodedRadiograph).image, reference.image);
    expect(max).toBeLessThanOrEqual(maxBound as number);
    expect(mean).toBeLessThanOrEqual(meanBound as number);
  });

  it.each(['CR-MONO1-10-chest.dcm', 'NIH-CXR14-DX-chest.dcm', 'RG1_J2KI.dcm', 'RG1_JLSN.dcm'])(
    'gives %s a plausible display-polarity chest image (dark lungs, bright mediastinum)',
    (file) => {
      const { image } = decoded.get(file) as DecodedRadiograph;
      const { mean, p1, p99 } = stats(image);
      expect(mean).toBeGreaterThan(60);
      expect(mean).toBeLessThan(210);
      expect(p99 - p1).toBeGreaterThan(120);
      const lungs = (boxMean(image, 0.3, 0.45) + boxMean(image, 0.7, 0.45)) / 2;
      const mediastinum = boxMean(image, 0.5, 0.55);
      expect(mediastinum - lungs).toBeGreaterThan(25);
    },
  );

  it('reads the bare ACR-NEMA-style dataset with its implied syntax and legacy date formats', () => {
    const metadata = readRadiographMetadata(readFileSync(join(dir, 'CR-MONO1-10-chest.dcm')));
    expect(metadata).toMatchObject({
      format: 'dicom',
      transferSyntaxUid: '1.2.840.10008.1.2',
      modality: 'CR',
      viewPosition: 'PA',
      acquisitionDateTime: '1993-02-24T17:58:00Z',
      bitsStored: 10,
    });
  });

  it('gives the two lossy versions of the RG1 chest nearly the same image', () => {
    const { mean } = differences((decoded.get('RG1_J2KI.dcm') as DecodedRadiograph).image, (decoded.get('RG1_JLSN.dcm') as DecodedRadiograph).image);
    expect(mean).toBeLessThan(1);
  });
});
