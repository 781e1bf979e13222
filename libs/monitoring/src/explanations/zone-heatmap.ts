import { ZONES, type Zone, type ZoneScore } from '@brixia/common';

// Per-pixel loops call these locals: under Jest's sandboxed globals every `Math.x` lookup is slow.
const { abs, floor, max, min } = Math;

/**
 * Zone boxes in the aligned frame, [y1, x1, y2, x2] as fractions (BS-Net reference code,
 * Signoroni et al. 2021): the six overlapping regions the heads score.
 */
export const ZONE_BOXES: Readonly<Record<Zone, readonly [number, number, number, number]>> = Object.freeze({
  A: [0, 0, 0.4, 0.5],
  B: [0.3, 0, 0.7, 0.5],
  C: [0.6, 0, 1, 0.5],
  D: [0, 0.5, 0.4, 1],
  E: [0.3, 0.5, 0.7, 1],
  F: [0.6, 0.5, 1, 1],
});

/** A point of the radiograph as fractions of its width and height (0 = left / top edge, 1 = right / bottom). */
export interface ImagePoint {
  readonly x: number;
  readonly y: number;
}

/**
 * The six zone boxes where they lie on the radiograph: each box of the aligned frame carried by θ (which
 * maps aligned-frame points to image points, both normalised to [−1, 1], PyTorch affine_grid), as its four
 * corners — top-left, top-right, bottom-right, bottom-left of the box — in fractions of the image. A
 * rotating or shearing θ makes them parallelograms. The heat of each zone overlay lies inside its polygon
 * (zoneHeatMap samples the same boxes through θ⁻¹).
 */
export function zoneBoxesInImage(alignment: readonly number[]): Array<{ zone: Zone; corners: ImagePoint[] }> {
  if (alignment.length !== 6 || !alignment.every(Number.isFinite)) throw new RangeError('alignment θ must have 6 finite values');
  const [a, b, c, d, e, f] = alignment;
  return ZONES.map((zone) => {
    const [y1, x1, y2, x2] = ZONE_BOXES[zone];
    const corners = ([[x1, y1], [x2, y1], [x2, y2], [x1, y2]] as const).map(([u, v]) => {
      const [xt, yt] = [2 * u - 1, 2 * v - 1];
      return { x: (a * xt + b * yt + c + 1) / 2, y: (d * xt + e * yt + f + 1) / 2 };
    });
    return { zone, corners };
  });
}

/** The model's class activation maps: zones A..F × scores 0..3, each h × w, in the aligned frame. */
export interface ZoneCamTensor {
  readonly shape: readonly [6, 4, number, number];
  readonly data: Float32Array;
}

/** A heat map in [0, 1], row-major, in the radiograph's own frame. */
export interface HeatMap {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

/**
 * Inverts the spatial transformer's affine θ (row-major 2×3). θ maps aligned-frame coordinates to
 * image coordinates (both normalised to [−1, 1], x then y, as PyTorch affine_grid/grid_sample);
 * θ⁻¹ takes an image point back into the aligned frame. Throws for a singular θ.
 */
export function invertAffine(theta: readonly number[]): [number, number, number, number, number, number] {
  if (theta.length !== 6) throw new RangeError('alignment θ must have 6 values');
  const [a, b, c, d, e, f] = theta;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || abs(det) < 1e-9) throw new RangeError('alignment θ is singular');
  // [x_t; y_t] = A⁻¹ ([x_s; y_s] − [c; f])
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Bilinear sample of an h × w map at continuous pixel coordinates (align_corners=False centres), edges clamped. */
function sample(map: Float32Array, offset: number, h: number, w: number, x: number, y: number): number {
  const cx = min(max(x, 0), w - 1);
  const cy = min(max(y, 0), h - 1);
  const x0 = floor(cx);
  const y0 = floor(cy);
  const x1 = min(x0 + 1, w - 1);
  const y1 = min(y0 + 1, h - 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const at = (yy: number, xx: number): number => map[offset + yy * w + xx];
  return (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) + (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
}

/**
 * Heat map of the chosen zones in the radiograph's frame: each zone's map for its predicted score
 * (ReLU, normalised by the largest activation among the chosen zones) is placed in its box of the
 * aligned frame, the overlapping boxes combined by maximum, and the result warped back to the
 * image with θ⁻¹ (a point outside the aligned frame gets 0). The model input is the radiograph
 * stretched to 512², so normalised image coordinates are those of the radiograph itself.
 */
export function zoneHeatMap(
  cams: ZoneCamTensor,
  alignment: readonly number[],
  predicted: Readonly<Record<Zone, ZoneScore>>,
  size: { width: number; height: number },
  zones: readonly Zone[] = ZONES,
): HeatMap {
  const [, classes, h, w] = cams.shape;
  if (cams.data.length !== 6 * classes * h * w) throw new RangeError('zone_cams size does not match its shape');
  const inverse = invertAffine(alignment);
  const chosen = zones.map((zone) => ({ zone, box: ZONE_BOXES[zone], offset: (ZONES.indexOf(zone) * classes + predicted[zone]) * h * w }));
  let peak = 0;
  for (const { offset } of chosen) for (let i = 0; i < h * w; i++) peak = max(peak, cams.data[offset + i]);
  const values = new Float32Array(size.width * size.height);
  if (peak <= 0) return { width: size.width, height: size.height, values };
  for (let py = 0; py < size.height; py++) {
    const ys = (2 * (py + 0.5)) / size.height - 1;
    for (let px = 0; px < size.width; px++) {
      const xs = (2 * (px + 0.5)) / size.width - 1;
      const u = (inverse[0] * xs + inverse[1] * ys + inverse[2] + 1) / 2;
      const v = (inverse[3] * xs + inverse[4] * ys + inverse[5] + 1) / 2;
      if (u < 0 || u > 1 || v < 0 || v > 1) continue;
      let best = 0;
      for (const { box, offset } of chosen) {
        const [y1, x1, y2, x2] = box;
        if (v < y1 || v > y2 || u < x1 || u > x2) continue;
        const value = sample(cams.data, offset, h, w, ((u - x1) / (x2 - x1)) * w - 0.5, ((v - y1) / (y2 - y1)) * h - 0.5);
        if (value > best) best = value;
      }
      values[py * size.width + px] = best / peak;
    }
  }
  return { width: size.width, height: size.height, values };
}
