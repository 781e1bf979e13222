/** A grey image as floats, row-major (e.g. the model input in [0, 1]). */
export interface FloatImage {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

export interface Superpixels {
  readonly width: number;
  readonly height: number;
  /** Segment index of each pixel, 0 … count − 1. */
  readonly labels: Int32Array;
  readonly count: number;
}

/**
 * SLIC super-pixels on a grey image (Achanta et al. 2012, as used for BS-Net's occlusion maps with
 * ≈180 segments and compactness 10, Signoroni et al. 2021): k-means on (intensity, x, y) seeded on a
 * regular grid, each centre searching a 2S × 2S window, distance √(d_i² + (d_xy / S)² · m²) with
 * intensity scaled to 0–100 like CIELAB L*. Segments left empty are dropped and labels renumbered.
 */
export function slicSuperpixels(image: FloatImage, options: { segments?: number; compactness?: number; iterations?: number } = {}): Superpixels {
  const { width, height, values } = image;
  const segments = options.segments ?? 180;
  const m = options.compactness ?? 10;
  const step = Math.max(1, Math.sqrt((width * height) / segments));
  const centres: Array<{ i: number; x: number; y: number }> = [];
  for (let y = step / 2; y < height; y += step) {
    for (let x = step / 2; x < width; x += step) centres.push({ i: 100 * values[Math.floor(y) * width + Math.floor(x)], x, y });
  }
  const labels = new Int32Array(width * height).fill(-1);
  const distances = new Float64Array(width * height);
  const spatial = (m / step) ** 2;
  for (let iteration = 0; iteration < (options.iterations ?? 10); iteration++) {
    distances.fill(Infinity);
    centres.forEach((centre, k) => {
      const x0 = Math.max(0, Math.floor(centre.x - step));
      const x1 = Math.min(width - 1, Math.ceil(centre.x + step));
      const y0 = Math.max(0, Math.floor(centre.y - step));
      const y1 = Math.min(height - 1, Math.ceil(centre.y + step));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const p = y * width + x;
          const di = 100 * values[p] - centre.i;
          const d = di * di + ((x - centre.x) ** 2 + (y - centre.y) ** 2) * spatial;
          if (d < distances[p]) {
            distances[p] = d;
            labels[p] = k;
          }
        }
      }
    });
    const sums = centres.map(() => ({ i: 0, x: 0, y: 0, n: 0 }));
    for (let p = 0; p < labels.length; p++) {
      const sum = sums[labels[p]];
      if (!sum) continue;
      sum.i += 100 * values[p];
      sum.x += p % width;
      sum.y += Math.floor(p / width);
      sum.n++;
    }
    sums.forEach((sum, k) => {
      if (sum.n > 0) centres[k] = { i: sum.i / sum.n, x: sum.x / sum.n, y: sum.y / sum.n };
    });
  }
  const renumber = new Map<number, number>();
  for (let p = 0; p < labels.length; p++) {
    let label = renumber.get(labels[p]);
    if (label === undefined) {
      label = renumber.size;
      renumber.set(labels[p], label);
    }
    labels[p] = label;
  }
  return { width, height, labels, count: renumber.size };
}
