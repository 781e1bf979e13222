/**
 * Per-axis weights of PIL's separable resampler (libImaging/Resample.c, `precompute_coeffs`) with its
 * triangle ("bilinear") filter, support 1. When shrinking, the filter is stretched by the scale so every
 * input pixel contributes (anti-aliasing); that is why this is not the 4-tap bilinear of other libraries.
 */
export interface AxisWeights {
  readonly outSize: number;
  /** First input index read by output i. */
  readonly first: Int32Array;
  /** Number of taps of output i. */
  readonly count: Int32Array;
  /** Weights of output i start at i * maxTaps. */
  readonly weights: Float64Array;
  readonly maxTaps: number;
}

export function triangleAxisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle support 1.0 times the filter scale
  const maxTaps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const xmin = Math.max(0, Math.floor(center - support + 0.5));
    const xmax = Math.min(inSize, Math.floor(center + support + 0.5));
    const taps = xmax - xmin;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const w = Math.max(0, 1 - Math.abs((j + xmin - center + 0.5) / filterScale));
      weights[i * maxTaps + j] = w;
      sum += w;
    }
    if (sum !== 0) {
      for (let j = 0; j < taps; j++) weights[i * maxTaps + j] /= sum;
    }
    first[i] = xmin;
    count[i] = taps;
  }
  return { outSize, first, count, weights, maxTaps };
}

/**
 * Horizontal pass straight from 8-bit grey: each of `height` rows of `width` pixels → `axis.outSize`
 * values, reading x = G/255 through `unitGrey` (no full-size float copy of a large radiograph).
 */
export function resampleGreyRows(pixels: Uint8Array, width: number, height: number, axis: AxisWeights, unitGrey: Float64Array): Float64Array {
  const outWidth = axis.outSize;
  const output = new Float64Array(outWidth * height);
  const { first, count, weights, maxTaps } = axis;
  for (let y = 0; y < height; y++) {
    const rowIn = y * width;
    const rowOut = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const start = rowIn + first[x];
      const k = x * maxTaps;
      const n = count[x];
      let acc = 0;
      for (let j = 0; j < n; j++) acc += weights[k + j] * unitGrey[pixels[start + j]];
      output[rowOut + x] = acc;
    }
  }
  return output;
}

/** Vertical pass: `width` columns of `height` values → `axis.outSize` rows; accumulation order as in PIL. */
export function resampleColumns(input: Float64Array, width: number, axis: AxisWeights): Float64Array {
  const outHeight = axis.outSize;
  const output = new Float64Array(width * outHeight);
  const { first, count, weights, maxTaps } = axis;
  for (let y = 0; y < outHeight; y++) {
    const k = y * maxTaps;
    const n = count[y];
    const rowOut = y * width;
    // Row-at-a-time accumulation keeps memory access sequential; per pixel it still sums taps j = 0..n-1 in order.
    for (let j = 0; j < n; j++) {
      const w = weights[k + j];
      const rowIn = (first[y] + j) * width;
      if (j === 0) {
        for (let x = 0; x < width; x++) output[rowOut + x] = w * input[rowIn + x];
      } else {
        for (let x = 0; x < width; x++) output[rowOut + x] += w * input[rowIn + x];
      }
    }
  }
  return output;
}
