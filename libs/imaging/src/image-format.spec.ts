import { makeDicomFixture, makeRasterFixture } from './testing';
import { detectDicomLayout, detectImageFormat } from './image-format';
import { stripPart10Header } from './testing-support.spec-helper';

describe('detectImageFormat', () => {
  it('recognises PNG, JPEG and Part 10 DICOM', async () => {
    expect(detectImageFormat(await makeRasterFixture({ format: 'png', width: 8, height: 8 }))).toBe('png');
    expect(detectImageFormat(await makeRasterFixture({ format: 'jpeg', width: 8, height: 8 }))).toBe('jpeg');
    const dicom = await makeDicomFixture({ width: 8, height: 8 });
    expect(detectImageFormat(dicom)).toBe('dicom');
    expect(detectDicomLayout(dicom)).toBe('part10');
  });

  it('recognises bare datasets without preamble and meta, in both little-endian encodings', async () => {
    const implicit = stripPart10Header(await makeDicomFixture({ transferSyntax: 'implicit-le', width: 8, height: 8 }));
    const explicit = stripPart10Header(await makeDicomFixture({ transferSyntax: 'explicit-le', width: 8, height: 8 }));
    expect([detectImageFormat(implicit), detectDicomLayout(implicit)]).toEqual(['dicom', 'raw-implicit-le']);
    expect([detectImageFormat(explicit), detectDicomLayout(explicit)]).toEqual(['dicom', 'raw-explicit-le']);
  });

  it('says undefined for empty, short, text and random bytes', () => {
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    expect(detectImageFormat(new Uint8Array(0))).toBeUndefined();
    expect(detectImageFormat(Uint8Array.of(0xff, 0xd8))).toBeUndefined();
    expect(detectImageFormat(Buffer.from('{"resourceType":"Patient"}\n'.repeat(20)))).toBeUndefined();
    expect(detectImageFormat(random)).toBeUndefined();
  });

  it('does not take a file that merely starts with group 0008 bytes for DICOM', () => {
    const bytes = new Uint8Array(64);
    bytes.set([0x08, 0x00, 0x10, 0x00, 0xff, 0xff, 0xff, 0x7f]); // implicit length far beyond the buffer
    expect(detectImageFormat(bytes)).toBeUndefined();
  });
});
