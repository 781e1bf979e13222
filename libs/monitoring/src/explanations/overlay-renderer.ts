import sharp from 'sharp';
import type { HeatMap } from './zone-heatmap';

/** 8-bit grey radiograph, display polarity, row-major (imaging's GreyImage). */
export interface GreyRaster {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** Longest side of the rendered overlays, in pixels: enough to read zones, small to store. */
export const OVERLAY_MAX_SIDE = 512;

/** The radiograph resized for display (longest side OVERLAY_MAX_SIDE, aspect kept). */
export async function displayRaster(image: GreyRaster, maxSide = OVERLAY_MAX_SIDE): Promise<GreyRaster> {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const { data } = await sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), { raw: { width: image.width, height: image.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width, height, pixels: new Uint8Array(data.buffer, data.byteOffset, width * height) };
}

/** Jet colour map, t in [0, 1] → [r, g, b] in [0, 1]. */
function jet(t: number): [number, number, number] {
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  return [clamp(1.5 - Math.abs(4 * t - 3)), clamp(1.5 - Math.abs(4 * t - 2)), clamp(1.5 - Math.abs(4 * t - 1))];
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
    const alpha = t < 0.15 ? 0 : 0.6 * Math.sqrt(t);
    const [r, g, b] = jet(t);
    rgb[i * 3] = Math.round(grey * (1 - alpha) + 255 * r * alpha);
    rgb[i * 3 + 1] = Math.round(grey * (1 - alpha) + 255 * g * alpha);
    rgb[i * 3 + 2] = Math.round(grey * (1 - alpha) + 255 * b * alpha);
  }
  return sharp(rgb, { raw: { width: display.width, height: display.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** The grey radiograph itself as PNG (for viewers beside the overlays). */
export async function renderGreyPng(display: GreyRaster): Promise<Buffer> {
  return sharp(Buffer.from(display.pixels.buffer, display.pixels.byteOffset, display.pixels.byteLength), { raw: { width: display.width, height: display.height, channels: 1 } })
    .png({ compressionLevel: 6 })
    .toBuffer();
}
