/**
 * What the model's own segmentation and alignment outputs say about whether the input shows two lungs:
 * summary statistics of `lung_mask` [1, H, W] and the alignment θ [2, 3] of one image. Pure maths, no
 * thresholds: chest-plausibility.ts decides (README.md, "Input gate").
 */

/** One connected region of the thresholded lung mask, in fractions of the frame. */
export interface LungComponent {
  /** Area / frame area. */
  readonly areaFraction: number;
  /** Centroid, 0 = left / top edge, 1 = right / bottom edge of the model input. */
  readonly centroidX: number;
  readonly centroidY: number;
}

/** Summary of one image's lung mask and alignment. */
export interface LungMaskEvidence {
  /** Fraction of the frame whose lung probability is at least MASK_THRESHOLD. */
  readonly lungAreaFraction: number;
  /** Mean probability over the pixels counted in lungAreaFraction (how sure the decoder is); 0 when none. */
  readonly meanLungProbability: number;
  /** The largest connected regions, largest first (at most MAX_COMPONENTS). */
  readonly components: readonly LungComponent[];
  /** The alignment network's affine θ, row-major 2×3. */
  readonly alignment: readonly number[];
}

/** A pixel belongs to the lung when the decoder's sigmoid says at least this. */
export const MASK_THRESHOLD = 0.5;
/** Components are labelled on a grid this many times coarser than the mask (512 → 128): fast, and specks vanish. */
const GRID_STEP = 4;
const MAX_COMPONENTS = 4;

interface Grid {
  readonly width: number;
  readonly height: number;
  readonly cells: Uint8Array;
}

/** A cell is lung when the mean probability of its GRID_STEP² block reaches the threshold. */
function coarseGrid(mask: Float32Array, width: number, height: number): Grid {
  const gw = Math.floor(width / GRID_STEP);
  const gh = Math.floor(height / GRID_STEP);
  const cells = new Uint8Array(gw * gh);
  const blockArea = GRID_STEP * GRID_STEP;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let sum = 0;
      for (let dy = 0; dy < GRID_STEP; dy++) {
        const row = (gy * GRID_STEP + dy) * width + gx * GRID_STEP;
        for (let dx = 0; dx < GRID_STEP; dx++) sum += mask[row + dx];
      }
      cells[gy * gw + gx] = sum / blockArea >= MASK_THRESHOLD ? 1 : 0;
    }
  }
  return { width: gw, height: gh, cells };
}

/** 4-connected components of the grid, by flood fill with an explicit stack. */
function components(grid: Grid): LungComponent[] {
  const { width, height, cells } = grid;
  const label = new Int32Array(cells.length);
  const stack = new Int32Array(cells.length);
  const found: LungComponent[] = [];
  const total = cells.length;
  let next = 0;
  for (let start = 0; start < total; start++) {
    if (cells[start] === 0 || label[start] !== 0) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    label[start] = next;
    let count = 0;
    let sumX = 0;
    let sumY = 0;
    while (top > 0) {
      const at = stack[--top];
      const x = at % width;
      const y = (at - x) / width;
      count++;
      sumX += x;
      sumY += y;
      const neighbours = [x > 0 ? at - 1 : -1, x < width - 1 ? at + 1 : -1, y > 0 ? at - width : -1, y < height - 1 ? at + width : -1];
      for (const n of neighbours) {
        if (n >= 0 && cells[n] === 1 && label[n] === 0) {
          label[n] = next;
          stack[top++] = n;
        }
      }
    }
    found.push({ areaFraction: count / total, centroidX: (sumX / count + 0.5) / width, centroidY: (sumY / count + 0.5) / height });
  }
  return found.sort((a, b) => b.areaFraction - a.areaFraction).slice(0, MAX_COMPONENTS);
}

/**
 * Evidence for one image: `mask` holds width × height sigmoid probabilities (row-major), `alignment`
 * the six values of θ.
 */
export function lungMaskEvidence(mask: Float32Array, width: number, height: number, alignment: ArrayLike<number>): LungMaskEvidence {
  if (mask.length !== width * height) throw new RangeError(`A ${width}×${height} lung mask needs ${width * height} values, got ${mask.length}`);
  let inside = 0;
  let probability = 0;
  for (let i = 0; i < mask.length; i++) {
    const p = mask[i];
    if (p >= MASK_THRESHOLD) {
      inside++;
      probability += p;
    }
  }
  return {
    lungAreaFraction: inside / mask.length,
    meanLungProbability: inside === 0 ? 0 : probability / inside,
    components: components(coarseGrid(mask, width, height)),
    alignment: Array.from(alignment),
  };
}
