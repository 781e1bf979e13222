import { ZONES, type Zone, type ZoneProbabilities, type ZoneScore } from '@brixia/common';
import { slicSuperpixels } from './superpixels';
import type { HeatMap } from './zone-heatmap';

/** The model as occlusion needs it: zone probabilities of one preprocessed input. */
export interface OcclusionScorer {
  score(input: Float32Array): Promise<{ readonly probabilities: Readonly<Record<Zone, ZoneProbabilities>> }>;
}

export interface OcclusionOptions {
  /** Super-pixels (the paper: ≈180). */
  readonly segments?: number;
  readonly compactness?: number;
  /** Occluded copies scored at once (the model's micro-batcher stacks them into one run). */
  readonly concurrency?: number;
  /** Called after each occluded copy is scored: `done` of `total` super-pixels. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface OcclusionResult {
  /** Per zone: drop of the predicted score's probability when each super-pixel is occluded, ≥ 0, peak 1. */
  readonly maps: Readonly<Record<Zone, HeatMap>>;
  readonly segments: number;
  /** Model runs: one per super-pixel plus the unoccluded input. */
  readonly forwardPasses: number;
  readonly durationMs: number;
}

/** Resolution of the super-pixel grid: the 512² input averaged 4 × 4 (SLIC cost, map detail enough). */
const GRID = 128;

/**
 * Super-pixel occlusion maps (Signoroni et al. 2021, Med. Image Anal. 71:102046): SLIC super-pixels on the
 * model input, each occluded (set to 0) and re-scored; a zone's map is the drop of the probability
 * of its predicted score. Unlike the paper the whole frame is segmented (the ScoreModel port gives
 * no lung mask), so it costs one forward pass per super-pixel of the image: slow on CPU.
 */
export async function occlusionMaps(scorer: OcclusionScorer, input: Float32Array, predicted: Readonly<Record<Zone, ZoneScore>>, options: OcclusionOptions = {}): Promise<OcclusionResult> {
  const started = performance.now();
  const size = Math.round(Math.sqrt(input.length));
  if (size * size !== input.length || size % GRID !== 0) throw new RangeError('occlusion expects a square model input whose side is a multiple of 128');
  const factor = size / GRID;
  const small = new Float32Array(GRID * GRID);
  for (let p = 0; p < input.length; p++) small[Math.floor(Math.floor(p / size) / factor) * GRID + Math.floor((p % size) / factor)] += input[p] / (factor * factor);
  const superpixels = slicSuperpixels({ width: GRID, height: GRID, values: small }, { segments: options.segments ?? 180, compactness: options.compactness ?? 10 });
  const members: number[][] = Array.from({ length: superpixels.count }, () => []);
  for (let p = 0; p < input.length; p++) members[superpixels.labels[Math.floor(Math.floor(p / size) / factor) * GRID + Math.floor((p % size) / factor)]].push(p);

  const base = await scorer.score(input);
  const drops = ZONES.map(() => new Float32Array(superpixels.count));
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < superpixels.count; k = next++) {
      const occluded = input.slice();
      for (const p of members[k]) occluded[p] = 0;
      const { probabilities } = await scorer.score(occluded);
      ZONES.forEach((zone, z) => (drops[z][k] = base.probabilities[zone][predicted[zone]] - probabilities[zone][predicted[zone]]));
      options.onProgress?.(++done, superpixels.count);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));

  const maps = {} as Record<Zone, HeatMap>;
  ZONES.forEach((zone, z) => {
    const peak = Math.max(0, ...drops[z]);
    const values = new Float32Array(GRID * GRID);
    if (peak > 0) for (let p = 0; p < values.length; p++) values[p] = Math.max(0, drops[z][superpixels.labels[p]]) / peak;
    maps[zone] = { width: GRID, height: GRID, values };
  });
  return { maps, segments: superpixels.count, forwardPasses: superpixels.count + 1, durationMs: performance.now() - started };
}

/** Bilinear resampling of a heat map to another size (both cover the same normalised frame). */
export function resampleHeatMap(map: HeatMap, width: number, height: number): HeatMap {
  const values = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * map.height) / height - 0.5, 0), map.height - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, map.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max(((x + 0.5) * map.width) / width - 0.5, 0), map.width - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, map.width - 1);
      const at = (yy: number, xx: number): number => map.values[yy * map.width + xx];
      const fx = sx - x0;
      const fy = sy - y0;
      values[y * width + x] = (at(y0, x0) * (1 - fx) + at(y0, x1) * fx) * (1 - fy) + (at(y1, x0) * (1 - fx) + at(y1, x1) * fx) * fy;
    }
  }
  return { width, height, values };
}

/** Union of zone maps (maximum), for the all-zones overlay. */
export function maxHeatMap(maps: readonly HeatMap[]): HeatMap {
  const [first] = maps;
  const values = new Float32Array(first.values.length);
  for (const map of maps) for (let p = 0; p < values.length; p++) values[p] = Math.max(values[p], map.values[p]);
  return { width: first.width, height: first.height, values };
}
