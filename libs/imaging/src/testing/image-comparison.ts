import sharp from 'sharp';
import type { GreyImage } from '../radiograph.types';

/**
 * Test helpers that compare what a viewer is served with what was decoded. They take channel 0 of
 * whatever sharp returns (checking the channel count and size it reports), so a helper never hides the
 * defect it is meant to find: sharp may hand back 3 channels for a 1-channel raw input after a resize.
 */

async function greyFromSharp(image: sharp.Sharp): Promise<GreyImage> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  if (data.length !== width * height * channels) throw new Error(`sharp returned ${data.length} bytes for ${width}×${height}×${channels}`);
  const pixels = new Uint8Array(width * height);
  for (let p = 0; p < pixels.length; p++) pixels[p] = data[p * channels];
  return { width, height, pixels };
}

/** A PNG or JPEG as 8-bit grey (channel 0: the images compared here are grey, or RGB overlays read as such). */
export async function decodeGreyImage(bytes: Uint8Array): Promise<GreyImage> {
  return greyFromSharp(sharp(bytes).removeAlpha());
}

/** The RGB samples of a PNG (3 per pixel, alpha dropped). */
export async function decodeRgbImage(bytes: Uint8Array): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, sharp returned ${info.channels}`);
  return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A grey image resampled (bilinear, corners aligned as sharp does) to another size. */
export async function resizeGreyImage(image: GreyImage, width: number, height: number): Promise<GreyImage> {
  const input = sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), { raw: { width: image.width, height: image.height, channels: 1 } });
  const resized = await greyFromSharp(input.resize(width, height, { fit: 'fill', kernel: 'linear' }));
  if (resized.width !== width || resized.height !== height) throw new Error(`resized to ${resized.width}×${resized.height}, not ${width}×${height}`);
  return resized;
}

/** Pearson correlation of two equally long sample sets (NaN when either is constant). */
export function pixelCorrelation(a: ArrayLike<number>, b: ArrayLike<number>, include?: (index: number) => boolean): number {
  if (a.length !== b.length) throw new RangeError(`sample counts differ: ${a.length} vs ${b.length}`);
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (include && !include(i)) continue;
    n++;
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    if (include && !include(i)) continue;
    const da = a[i] - ma;
    const db = b[i] - mb;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  return cov / Math.sqrt(va * vb);
}

/**
 * How well a displayed image shows a source: the displayed grey image resized back to the source's
 * size, correlated pixel by pixel with it (1 = same content and geometry).
 */
export async function displayedCorrelation(displayed: GreyImage, source: GreyImage): Promise<number> {
  const back = await resizeGreyImage(displayed, source.width, source.height);
  return pixelCorrelation(back.pixels, source.pixels);
}
