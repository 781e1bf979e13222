import type { Zone } from '@brixia/common';
import { ZONE_BOXES } from '../explanations/zone-heatmap';

// Per-pixel loops call these locals: under Jest's sandboxed globals every `Math.x` lookup is slow.
const { hypot, max, min } = Math;

/** An RGB image, 3 samples per pixel, row-major (a decoded overlay PNG). */
export interface RgbRaster {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** Where one zone overlay's heat lies, measured on its pixels. */
export interface OverlayMeasurement {
  /** Sum of the heat colour (chroma: max − min of r, g, b) over the overlay. */
  readonly mass: number;
  /** Share of that mass inside the zone's box mapped into the image (rim of 1.5 px included). */
  readonly inside: number;
  /** Share of the mapped box (rim of 1.5 px excluded) that shows heat (chroma > 20). */
  readonly covered: number;
  /** Pearson correlation of the overlay's grey outside the box and its heat with `reference` there. */
  readonly correlation: number;
}

/**
 * A zone's box in the aligned frame, its corners carried into the image by θ, independently of the
 * renderer: θ maps aligned-frame points to image points, both normalised to [−1, 1] (PyTorch affine_grid),
 * so the pixels that θ⁻¹ takes into the box are the polygon θ(box). Pixel k's centre is at k + 0.5.
 */
function mappedBox(zone: Zone, theta: readonly number[], width: number, height: number): Array<[number, number]> {
  const [y1, x1, y2, x2] = ZONE_BOXES[zone];
  return [[x1, y1], [x2, y1], [x2, y2], [x1, y2]].map(([u, v]) => {
    const [xt, yt] = [2 * u - 1, 2 * v - 1];
    const xs = theta[0] * xt + theta[1] * yt + theta[2];
    const ys = theta[3] * xt + theta[4] * yt + theta[5];
    return [((xs + 1) / 2) * width, ((ys + 1) / 2) * height] as [number, number];
  });
}

/** Signed distance (pixels, > 0 inside) of a point to the nearest edge of a convex polygon. */
function insideDistance(polygon: Array<[number, number]>): (x: number, y: number) => number {
  let orientation = 0;
  for (let i = 0; i < polygon.length; i++) {
    const [ax, ay] = polygon[i];
    const [bx, by] = polygon[(i + 1) % polygon.length];
    orientation += (bx - ax) * (by + ay);
  }
  const sign = orientation < 0 ? 1 : -1;
  const edges = polygon.map(([ax, ay], i) => {
    const [bx, by] = polygon[(i + 1) % polygon.length];
    const length = hypot(bx - ax, by - ay);
    return { ax, ay, nx: (sign * -(by - ay)) / length, ny: (sign * (bx - ax)) / length };
  });
  return (x, y) => {
    let distance = Infinity;
    for (const { ax, ay, nx, ny } of edges) distance = min(distance, nx * (x - ax) + ny * (y - ay));
    return distance;
  };
}

/**
 * Measures a zone overlay against the zone's box mapped through the alignment θ and against the
 * radiograph at display size (`reference`, grey, same size as the overlay).
 */
export function measureZoneOverlay(overlay: RgbRaster, zone: Zone, theta: readonly number[], reference: { readonly pixels: Uint8Array }): OverlayMeasurement {
  const { width, height, rgb } = overlay;
  if (reference.pixels.length !== width * height) throw new RangeError('reference and overlay sizes differ');
  const distanceTo = insideDistance(mappedBox(zone, theta, width, height));
  let mass = 0;
  let massInside = 0;
  let coreArea = 0;
  let coreHot = 0;
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let p = 0; p < width * height; p++) {
    const r = rgb[p * 3];
    const g = rgb[p * 3 + 1];
    const b = rgb[p * 3 + 2];
    const chroma = max(r, g, b) - min(r, g, b);
    const distance = distanceTo((p % width) + 0.5, ((p / width) | 0) + 0.5);
    mass += chroma;
    if (distance > -1.5) massInside += chroma;
    if (distance > 1.5) {
      coreArea++;
      if (chroma > 20) coreHot++;
    }
    if (chroma === 0 && distance < -1.5) {
      const a = r;
      const c = reference.pixels[p];
      n++;
      sa += a;
      sb += c;
      saa += a * a;
      sbb += c * c;
      sab += a * c;
    }
  }
  const correlation = (n * sab - sa * sb) / Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
  return { mass, inside: mass > 0 ? massInside / mass : 0, covered: coreArea > 0 ? coreHot / coreArea : 0, correlation };
}
