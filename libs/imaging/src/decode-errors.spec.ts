import { decodeRadiograph, readRadiographMetadata } from './index';
import { type FixtureTransferSyntax, makeDicomFixture, makeRasterFixture, seededRandom } from './testing';
import { errorCodeOf, findTag } from './testing-support.spec-helper';

const SIZE = { width: 48, height: 40 } as const;
const IMAGING_CODES = ['IMAGING.NOT_AN_IMAGE', 'IMAGING.UNREADABLE', 'IMAGING.UNSUPPORTED_TRANSFER_SYNTAX', 'IMAGING.NO_PIXELS'];

describe('decodeRadiograph on bad bytes', () => {
  it.each([
    ['an empty buffer', new Uint8Array(0)],
    ['random bytes', Uint8Array.from({ length: 5000 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 13) & 0xff)],
    ['a text file', Buffer.from('Patient: nobody\nThis is not an image.\n'.repeat(30))],
    ['a PDF', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n'.repeat(10))],
  ])('refuses %s as IMAGING.NOT_AN_IMAGE', async (_what, bytes) => {
    expect(await errorCodeOf(() => decodeRadiograph(bytes))).toBe('IMAGING.NOT_AN_IMAGE');
    expect(await errorCodeOf(() => readRadiographMetadata(bytes))).toBe('IMAGING.NOT_AN_IMAGE');
  });

  it.each(['explicit-le', 'rle', 'jpeg-baseline', 'jpeg-lossless', 'jpeg-ls-lossless', 'jpeg2000-lossless'] as const)(
    'reports a %s file truncated inside its pixels as IMAGING.UNREADABLE',
    async (transferSyntax) => {
      const bytes = await makeDicomFixture({ ...SIZE, transferSyntax, bitsStored: transferSyntax === 'jpeg-baseline' ? 8 : 12 });
      const pixelTag = findTag(bytes, 0x7fe0, 0x0010);
      const cut = pixelTag + Math.floor((bytes.length - pixelTag) / 2);
      expect(await errorCodeOf(() => decodeRadiograph(bytes.subarray(0, cut)))).toBe('IMAGING.UNREADABLE');
    },
  );

  it('reports a file cut inside its header as IMAGING.UNREADABLE', async () => {
    const bytes = await makeDicomFixture(SIZE);
    expect(await errorCodeOf(() => decodeRadiograph(bytes.subarray(0, 300)))).toBe('IMAGING.UNREADABLE');
  });

  it('reports a dataset without Pixel Data as IMAGING.NO_PIXELS', async () => {
    const bytes = await makeDicomFixture(SIZE);
    const withoutPixels = bytes.subarray(0, findTag(bytes, 0x7fe0, 0x0010));
    expect(await errorCodeOf(() => decodeRadiograph(withoutPixels))).toBe('IMAGING.NO_PIXELS');
    expect(readRadiographMetadata(withoutPixels).rows).toBe(SIZE.height);
  });

  it('reports an unsupported transfer syntax as IMAGING.UNSUPPORTED_TRANSFER_SYNTAX', async () => {
    const bytes = Buffer.from(await makeDicomFixture({ ...SIZE, transferSyntax: 'jpeg2000-lossless' }));
    // Same length, so the meta group stays valid: JPEG 2000 Part 2 multi-component, which is not supported.
    const at = bytes.indexOf('1.2.840.10008.1.2.4.90');
    bytes.write('1.2.840.10008.1.2.4.92', at, 'latin1');
    expect(await errorCodeOf(() => decodeRadiograph(bytes))).toBe('IMAGING.UNSUPPORTED_TRANSFER_SYNTAX');
    expect(readRadiographMetadata(bytes).transferSyntaxUid).toBe('1.2.840.10008.1.2.4.92');
  });

  it.each(['jpeg-baseline', 'jpeg-extended-12bit', 'jpeg-ls-lossless', 'rle'] as const)(
    'reports a corrupted %s codestream as IMAGING.UNREADABLE and decodes the next good file',
    async (transferSyntax) => {
      const good = await makeDicomFixture({ ...SIZE, transferSyntax, bitsStored: transferSyntax === 'jpeg-baseline' ? 8 : 12 });
      const bad = Buffer.from(good);
      const pixels = findTag(bad, 0x7fe0, 0x0010);
      // RLE: break the segment count in the header; others: garble the middle of the entropy-coded data.
      if (transferSyntax === 'rle') bad.writeUInt32LE(7, pixels + 12 + 8 + 4 + 8);
      else for (let i = 0; i < 40; i++) bad[Math.floor((pixels + bad.length) / 2) + i] = 0xff;
      expect(await errorCodeOf(() => decodeRadiograph(bad))).toBe('IMAGING.UNREADABLE');
      expect(await errorCodeOf(() => decodeRadiograph(good))).toBe('no error');
    },
  );

  it.each([['png'], ['jpeg']] as const)('reports a truncated %s as IMAGING.UNREADABLE', async (format) => {
    const bytes = await makeRasterFixture({ format, width: 64, height: 64 });
    expect(await errorCodeOf(() => decodeRadiograph(bytes.subarray(0, Math.floor(bytes.length * 0.6))))).toBe('IMAGING.UNREADABLE');
  });

  it('never throws anything but an imaging AppError for damaged files (seeded fuzzing)', async () => {
    const syntaxes: FixtureTransferSyntax[] = ['explicit-le', 'implicit-le', 'rle', 'jpeg-baseline', 'jpeg-extended-12bit', 'jpeg-lossless', 'jpeg-ls-near-lossless', 'jpeg2000'];
    const sources: Buffer[] = [await makeRasterFixture({ format: 'png', width: 32, height: 32 }), await makeRasterFixture({ format: 'jpeg', width: 32, height: 32 })];
    for (const transferSyntax of syntaxes) {
      sources.push(await makeDicomFixture({ width: 32, height: 32, transferSyntax, bitsStored: transferSyntax === 'jpeg-baseline' ? 8 : 12 }));
    }
    const random = seededRandom(2024);
    const outcomes = new Set<string>();
    for (const source of sources) {
      for (let k = 0; k < 16; k++) {
        const bytes = Buffer.from(source);
        let input: Uint8Array = bytes;
        if (k % 2 === 0) input = bytes.subarray(0, Math.floor(random() * bytes.length));
        else for (let j = 0; j < 1 + k; j++) bytes[Math.floor(bytes.length * (0.2 + 0.8 * random()))] = Math.floor(random() * 256);
        outcomes.add(await errorCodeOf(() => decodeRadiograph(input)));
      }
    }
    for (const outcome of outcomes) expect(['no error', ...IMAGING_CODES]).toContain(outcome);
    expect(outcomes.has('IMAGING.UNREADABLE')).toBe(true);
  });
});
