import { readRadiographMetadata } from '../index';
import { FIXTURE_ENCODERS, dicomFixtureStoredValues, makeDicomFixture, syntheticRadiograph } from './index';

describe('syntheticRadiograph', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const a = syntheticRadiograph({ width: 40, height: 30, seed: 9 });
    const b = syntheticRadiograph({ width: 40, height: 30, seed: 9 });
    const c = syntheticRadiograph({ width: 40, height: 30, seed: 10 });
    expect(Buffer.from(a.pixels.buffer).equals(Buffer.from(b.pixels.buffer))).toBe(true);
    expect(Buffer.from(a.pixels.buffer).equals(Buffer.from(c.pixels.buffer))).toBe(false);
  });

  it.each([8, 10, 12, 16] as const)('stays inside the %i-bit range', (bitsStored) => {
    const { pixels } = syntheticRadiograph({ width: 50, height: 50, bitsStored });
    const highest = pixels.reduce((m, v) => (v > m ? v : m), 0);
    expect(highest).toBeLessThanOrEqual(2 ** bitsStored - 1);
    expect(highest).toBeGreaterThan(2 ** bitsStored * 0.6);
  });

  it('looks like a chest film: dark lungs beside a bright mediastinum', () => {
    const { pixels, width } = syntheticRadiograph({ width: 100, height: 100 });
    const at = (u: number, v: number): number => pixels[Math.round(v * 99) * width + Math.round(u * 99)];
    expect(at(0.5, 0.45)).toBeGreaterThan(at(0.3, 0.45) + 400);
    expect(at(0.5, 0.45)).toBeGreaterThan(at(0.7, 0.45) + 400);
  });
});

describe('makeDicomFixture', () => {
  it('writes the requested attributes', async () => {
    const metadata = readRadiographMetadata(
      await makeDicomFixture({ width: 20, height: 10, modality: 'DX', photometric: 'MONOCHROME1', bitsStored: 10, viewPosition: 'LL', transferSyntax: 'rle' }),
    );
    expect(metadata).toMatchObject({ rows: 10, columns: 20, modality: 'DX', photometricInterpretation: 'MONOCHROME1', bitsStored: 10, viewPosition: 'LL' });
  });

  it('stores MONOCHROME1 inverted so the display image is the same anatomy', () => {
    const mono2 = dicomFixtureStoredValues({ width: 8, height: 8, bitsStored: 12 });
    const mono1 = dicomFixtureStoredValues({ width: 8, height: 8, bitsStored: 12, photometric: 'MONOCHROME1' });
    expect(mono1[5]).toBe(4095 - mono2[5]);
  });

  it('refuses bit depths its encoders would rescale', async () => {
    await expect(makeDicomFixture({ transferSyntax: 'jpeg-baseline', bitsStored: 12 })).rejects.toThrow(RangeError);
    await expect(makeDicomFixture({ transferSyntax: 'jpeg-extended-12bit', bitsStored: 10 })).rejects.toThrow(RangeError);
  });

  it('names the Debian packages its encoders come from', () => {
    const packages = new Set(Object.values(FIXTURE_ENCODERS).map((encoder) => encoder.debianPackage));
    expect([...packages].sort()).toEqual(['dcmtk', 'libgdcm-tools']);
  });
});
