import sharp from 'sharp';
import { syntheticRadiograph } from './synthetic-radiograph';

/** The 8-bit grey pixels a raster fixture encodes (the synthetic radiograph at 8 bits). */
export function rasterFixturePixels(opts: { width?: number; height?: number; seed?: number } = {}): Uint8Array {
  const source = syntheticRadiograph({ width: opts.width ?? 256, height: opts.height ?? 256, seed: opts.seed, bitsStored: 8 });
  return Uint8Array.from(source.pixels);
}

/** A synthetic chest radiograph as an 8-bit greyscale PNG (lossless) or JPEG (quality 95), encoded by sharp. */
export async function makeRasterFixture(opts: { format: 'png' | 'jpeg'; width?: number; height?: number; seed?: number }): Promise<Buffer> {
  const width = opts.width ?? 256;
  const height = opts.height ?? 256;
  const image = sharp(Buffer.from(rasterFixturePixels(opts)), { raw: { width, height, channels: 1 } }).toColourspace('b-w');
  return opts.format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 95 }).toBuffer();
}
