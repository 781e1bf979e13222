import sharp from 'sharp';
import { decodeRadiograph, readRadiographMetadata } from '../index';
import { makeRasterFixture, rasterFixturePixels } from '../testing';

const SIZE = { width: 40, height: 30 } as const;

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('PNG and JPEG via sharp', () => {
  it('decodes an 8-bit grey PNG exactly, with size-only metadata', async () => {
    const { image, metadata } = await decodeRadiograph(await makeRasterFixture({ format: 'png', ...SIZE, seed: 4 }));
    expect([image.width, image.height]).toEqual([40, 30]);
    expect(maxDifference(image.pixels, rasterFixturePixels({ ...SIZE, seed: 4 }))).toBe(0);
    expect(metadata).toEqual({ format: 'png', rows: 30, columns: 40, bitsStored: 8 });
  });

  it('decodes a grey JPEG within the loss of quality 95', async () => {
    const bytes = await makeRasterFixture({ format: 'jpeg', ...SIZE, seed: 4 });
    const { image } = await decodeRadiograph(bytes);
    expect(maxDifference(image.pixels, rasterFixturePixels({ ...SIZE, seed: 4 }))).toBeLessThanOrEqual(8);
    expect(readRadiographMetadata(bytes)).toEqual({ format: 'jpeg', rows: 30, columns: 40, bitsStored: 8 });
  });

  it('turns RGB into ITU-R 601 luma as PIL convert("L") does', async () => {
    const rgb = Buffer.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 200, 30, 255, 255, 255, 0, 0, 0]);
    const png = await sharp(rgb, { raw: { width: 3, height: 2, channels: 3 } }).png().toBuffer();
    const { image } = await decodeRadiograph(png);
    // (R·19595 + G·38470 + B·7471 + 2^15) >> 16
    expect([...image.pixels]).toEqual([76, 150, 29, 124, 255, 0]);
  });

  it('flattens transparency onto black', async () => {
    const rgba = Buffer.from([200, 200, 200, 255, 200, 200, 200, 0]);
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const { image } = await decodeRadiograph(png);
    expect([...image.pixels]).toEqual([200, 0]);
  });

  it('stretches a 16-bit PNG holding 12-bit data to the full 8-bit range', async () => {
    const values = Uint16Array.from([100, 1100, 2100, 4095]);
    const png = await sharp(values, { raw: { width: 2, height: 2, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    const { image, metadata } = await decodeRadiograph(png);
    expect(metadata.bitsStored).toBe(16);
    expect([...image.pixels]).toEqual([0, 64, 128, 255]); // (v − 100) / 3995 · 255, rounded
  });
});
