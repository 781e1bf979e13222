import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { data as dicomData } from 'dcmjs';
import { decodeRadiograph } from '../index';
import { makeDicomFixture } from '../testing';

const run = promisify(execFile);

/** Re-encodes a Part 10 file with dcmtk's dcmconv (same Debian package as the fixture encoders). */
async function dcmconv(part10: Uint8Array, option: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'brixia-dcmconv-'));
  try {
    await writeFile(join(dir, 'in.dcm'), part10);
    await run('dcmconv', [option, join(dir, 'in.dcm'), join(dir, 'out.dcm')]);
    return await readFile(join(dir, 'out.dcm'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A 4×1 object written directly with dcmjs, to exercise attributes the fixture maker does not write. */
function tinyObject(extra: Record<string, unknown>): Buffer {
  const body = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1',
    SOPInstanceUID: '2.25.77',
    Rows: 1,
    Columns: 4,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    PixelData: [Uint16Array.of(0, 100, 200, 300).buffer],
    _vrMap: { PixelData: 'OW' },
    ...extra,
  };
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: body.SOPClassUID,
    MediaStorageSOPInstanceUID: body.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.1',
  };
  const dict = new dicomData.DicomDict(dicomData.DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = dicomData.DicomMetaDictionary.denaturalizeDataset(body);
  return Buffer.from(dict.write());
}

describe('other encodings and attributes', () => {
  it.each([
    ['+tb', '1.2.840.10008.1.2.2'],
    ['+td', '1.2.840.10008.1.2.1.99'],
  ])('decodes dcmconv %s output (%s) like the little-endian original', async (option, uid) => {
    for (const bitsStored of [8, 12] as const) {
      const original = await makeDicomFixture({ width: 32, height: 24, bitsStored, photometric: 'MONOCHROME1' });
      const converted = await decodeRadiograph(await dcmconv(original, option));
      expect(converted.metadata.transferSyntaxUid).toBe(uid);
      expect(Buffer.from(converted.image.pixels).equals(Buffer.from((await decodeRadiograph(original)).image.pixels))).toBe(true);
    }
  });

  it('prefers the VOI LUT Sequence to the window and scales by its entry bits', async () => {
    const lut = Uint16Array.from({ length: 301 }, (_, i) => 300 - i); // 0..300 → 300..0
    const bytes = tinyObject({
      WindowCenter: 5,
      WindowWidth: 2,
      VOILUTSequence: [{ LUTDescriptor: [301, 0, 10], LUTData: [lut.buffer], _vrMap: { LUTDescriptor: 'US', LUTData: 'OW' } }],
    });
    const { image } = await decodeRadiograph(bytes);
    expect([...image.pixels]).toEqual([75, 50, 25, 0]); // round(lut / 1023 · 255)
  });

  it('applies the VOI LUT Function of the window (SIGMOID)', async () => {
    const { image } = await decodeRadiograph(tinyObject({ WindowCenter: 150, WindowWidth: 200, VOILUTFunction: 'SIGMOID' }));
    const sigmoid = (x: number): number => Math.round(255 / (1 + Math.exp((-4 * (x - 150)) / 200)));
    expect([...image.pixels]).toEqual([0, 100, 200, 300].map(sigmoid));
  });

  it('honours Presentation LUT Shape INVERSE on MONOCHROME2', async () => {
    const { image } = await decodeRadiograph(tinyObject({ PresentationLUTShape: 'INVERSE' }));
    expect([...image.pixels]).toEqual([255, 170, 85, 0]);
  });
});
