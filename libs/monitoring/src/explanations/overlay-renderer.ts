import sharp from 'sharp';
import type { HeatMap } from './zone-heatmap';

// Per-pixel loops call these locals: under Jest's sandboxed globals every `Math.x` lookup is slow.
const { abs, max, min, round, sqrt } = Math;

/** 8-bit grey radiograph, display polarity, row-major (imaging's GreyImage). */
export interface GreyRaster {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** Longest side of the rendered overlays, in pixels: enough to read zones, small to store. */
export const OVERLAY_MAX_SIDE = 512;

/** A grey raster as a 1-band raw sharp input. */
function rawGrey(image: GreyRaster): sharp.Sharp {
  return sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), { raw: { width: image.width, height: image.height, channels: 1 } });
}

/**
 * Reads a pipeline back as a grey raster. `resize` on a 1-band raw input may come back as 3 identical
 * bands (sharp 0.35 does), so the output is pinned to one grey band (`toColourspace('b-w')`) and the size
 * and band count sharp reports are checked and used, never assumed.
 */
async function toGreyRaster(pipeline: sharp.Sharp, width: number, height: number): Promise<GreyRaster> {
  const { data, info } = await pipeline.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || data.length !== width * height * info.channels) {
    throw new RangeError(`sharp returned ${info.width}×${info.height}×${info.channels} (${data.length} bytes), expected ${width}×${height}`);
  }
  if (info.channels === 1) return { width, height, pixels: new Uint8Array(data.buffer, data.byteOffset, width * height) };
  const pixels = new Uint8Array(width * height);
  for (let p = 0; p < pixels.length; p++) pixels[p] = data[p * info.channels];
  return { width, height, pixels };
}

/** The radiograph resized for display (longest side OVERLAY_MAX_SIDE, aspect kept). */
export async function displayRaster(image: GreyRaster, maxSide = OVERLAY_MAX_SIDE): Promise<GreyRaster> {
  const scale = min(1, maxSide / max(image.width, image.height));
  const width = max(1, round(image.width * scale));
  const height = max(1, round(image.height * scale));
  return toGreyRaster(rawGrey(image).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }), width, height);
}

/** Jet colour map, t in [0, 1] → [r, g, b] in [0, 1]. */
function jet(t: number): [number, number, number] {
  const clamp = (v: number): number => min(1, max(0, v));
  return [clamp(1.5 - abs(4 * t - 3)), clamp(1.5 - abs(4 * t - 2)), clamp(1.5 - abs(4 * t - 1))];
}

/**
 * The heat map blended over the grey radiograph as an RGB PNG. Weak activations (< 0.15 of the
 * peak) stay transparent so the anatomy remains readable; opacity grows with the activation.
 */
export async function renderOverlayPng(display: GreyRaster, heat: HeatMap): Promise<Buffer> {
  if (heat.width !== display.width || heat.height !== display.height) throw new RangeError('heat map and radiograph sizes differ');
  const rgb = Buffer.alloc(display.width * display.height * 3);
  for (let i = 0; i < display.pixels.length; i++) {
    const grey = display.pixels[i];
    const t = heat.values[i];
    const alpha = t < 0.15 ? 0 : 0.6 * sqrt(t);
    const [r, g, b] = jet(t);
    rgb[i * 3] = round(grey * (1 - alpha) + 255 * r * alpha);
    rgb[i * 3 + 1] = round(grey * (1 - alpha) + 255 * g * alpha);
    rgb[i * 3 + 2] = round(grey * (1 - alpha) + 255 * b * alpha);
  }
  return sharp(rgb, { raw: { width: display.width, height: display.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** The grey radiograph itself as PNG (for viewers beside the overlays). */
export async function renderGreyPng(display: GreyRaster): Promise<Buffer> {
  return rawGrey(display).toColourspace('b-w').png({ compressionLevel: 6 }).toBuffer();
}
