// Per-pixel maths uses locals: under Jest's sandboxed globals every `Math.x` lookup is slow.
const { abs, cos, hypot, imul, max, min, round, sin, PI } = Math;

/** A deterministic 32-bit PRNG (mulberry32): same seed, same image, on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticRadiograph {
  readonly width: number;
  readonly height: number;
  readonly bitsStored: number;
  /** Display polarity (higher = brighter), values 0 .. 2^bitsStored − 1, row-major. */
  readonly pixels: Uint16Array;
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = min(1, max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Brightness in [0, 1] of a chest-like frontal film at normalised (u, v) ∈ [0, 1]², before noise. */
function chestIntensity(u: number, v: number, ribPhase: number): number {
  let value = 0.55 + 0.15 * v; // soft tissue, brighter towards the abdomen
  let lung = 0;
  for (const cx of [0.3, 0.7]) {
    // Two dark lung fields: ellipses with soft borders.
    const d = hypot((u - cx) / 0.17, (v - 0.45) / 0.3);
    lung = max(lung, 1 - smoothstep(0.85, 1.05, d));
  }
  value -= 0.38 * lung;
  // Ribs: bright bands curving down from the spine, visible over the lungs.
  const rib = sin((v * 14 + 2.5 * abs(u - 0.5) + ribPhase) * PI);
  value += 0.12 * lung * smoothstep(0.55, 0.95, rib);
  // Mediastinum and spine: a bright central column, wider at the heart.
  const halfWidth = 0.07 + 0.08 * smoothstep(0.45, 0.75, v);
  value += 0.3 * (1 - smoothstep(halfWidth * 0.8, halfWidth * 1.2, abs(u - 0.5 - 0.04 * smoothstep(0.5, 0.8, v))));
  // Diaphragm domes: bright below.
  value += 0.25 * smoothstep(0.74, 0.8, v + 0.08 * cos((u - 0.5) * PI * 2));
  return value;
}

/**
 * Deterministic synthetic chest-like radiograph (dark lung ellipses, bright mediastinum, ribs and diaphragm,
 * seeded noise) at any size and stored bit depth. Values use 5–95 % of the range, leaving head-room for
 * lossy codecs. Test data only; never patient data.
 */
export function syntheticRadiograph(opts: {
  width: number;
  height: number;
  seed?: number;
  bitsStored?: 8 | 10 | 12 | 16;
}): SyntheticRadiograph {
  const { width, height } = opts;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError('syntheticRadiograph needs a positive integer width and height');
  }
  const bitsStored = opts.bitsStored ?? 12;
  const random = seededRandom(opts.seed ?? 1);
  const maxValue = 2 ** bitsStored - 1;
  const ribPhase = random();
  const pixels = new Uint16Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = height === 1 ? 0.5 : y / (height - 1);
    for (let x = 0; x < width; x++) {
      const u = width === 1 ? 0.5 : x / (width - 1);
      const noise = (random() + random() + random() - 1.5) * 0.02;
      const value = min(1, max(0, chestIntensity(u, v, ribPhase) + noise));
      pixels[y * width + x] = round((0.05 + 0.9 * value) * maxValue);
    }
  }
  return { width, height, bitsStored, pixels };
}
