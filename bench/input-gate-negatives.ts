/**
 * Generated negatives for bench/input-gate-calibration.ts: images that are not frontal chest radiographs,
 * drawn in code (so nothing with a licence is committed). Crude phantoms: they show the gate's behaviour on
 * the shapes of each class, not on real examinations of that class.
 */
import type { GreyImage } from '@brixia/imaging';
import { seededRandom } from '@brixia/imaging/testing';

export interface Negative {
  readonly cls: string;
  readonly name: string;
  readonly image: GreyImage;
}

/** A float canvas in [0, 1] with a few drawing primitives. */
class Canvas {
  readonly data: Float32Array;
  constructor(readonly width: number, readonly height: number, background = 0) {
    this.data = new Float32Array(width * height).fill(background);
  }

  /** Adds `value` inside an ellipse (centre and radii in fractions of the canvas), with a soft edge. */
  ellipse(cx: number, cy: number, rx: number, ry: number, value: number, mode: 'add' | 'set' = 'add', edge = 0.06, angle = 0): this {
    const { width, height, data } = this;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = x / width - cx;
        const v = y / height - cy;
        const d = Math.hypot((u * cos + v * sin) / rx, (-u * sin + v * cos) / ry);
        const w = d < 1 - edge ? 1 : d > 1 + edge ? 0 : (1 + edge - d) / (2 * edge);
        if (w <= 0) continue;
        data[y * width + x] = mode === 'add' ? data[y * width + x] + value * w : data[y * width + x] * (1 - w) + value * w;
      }
    }
    return this;
  }

  /** Sets a rectangle (fractions) to `value`. */
  rect(x0: number, y0: number, x1: number, y1: number, value: number): this {
    const { width, height, data } = this;
    for (let y = Math.round(y0 * height); y < Math.round(y1 * height); y++) {
      for (let x = Math.round(x0 * width); x < Math.round(x1 * width); x++) data[y * width + x] = value;
    }
    return this;
  }

  noise(random: () => number, amplitude: number): this {
    for (let i = 0; i < this.data.length; i++) this.data[i] += (random() + random() + random() - 1.5) * amplitude;
    return this;
  }

  toGrey(): GreyImage {
    const pixels = Uint8Array.from(this.data, (v) => Math.round(255 * Math.min(1, Math.max(0, v))));
    return { width: this.width, height: this.height, pixels };
  }
}

function noiseImages(): Negative[] {
  const out: Negative[] = [];
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(seed);
    const uniform = new Canvas(512, 512);
    for (let i = 0; i < uniform.data.length; i++) uniform.data[i] = random();
    out.push({ cls: 'noise', name: `uniform-${seed}`, image: uniform.toGrey() });
    out.push({ cls: 'noise', name: `gaussian-${seed}`, image: new Canvas(640, 480, 0.5).noise(random, 0.3).toGrey() });
    // Smooth blobs: the low-frequency noise that most resembles soft tissue.
    const blobs = new Canvas(600, 500, 0.4);
    for (let k = 0; k < 40; k++) blobs.ellipse(random(), random(), 0.03 + 0.15 * random(), 0.03 + 0.15 * random(), (random() - 0.5) * 0.4, 'add', 0.5);
    out.push({ cls: 'noise', name: `blobs-${seed}`, image: blobs.noise(random, 0.05).toGrey() });
    const salt = new Canvas(512, 512, 0.5);
    for (let i = 0; i < salt.data.length; i++) if (random() < 0.2) salt.data[i] = random() < 0.5 ? 0 : 1;
    out.push({ cls: 'noise', name: `salt-pepper-${seed}`, image: salt.toGrey() });
  }
  return out;
}

function documents(): Negative[] {
  const out: Negative[] = [];
  for (const seed of [1, 2, 3, 4]) {
    const random = seededRandom(100 + seed);
    const page = new Canvas(620, 800, 0.96);
    let y = 0.08;
    while (y < 0.92) {
      // A line of "words": dark bars of random length.
      let x = 0.1;
      const end = 0.9 - (random() < 0.2 ? 0.4 * random() : 0);
      while (x < end) {
        const word = 0.02 + 0.08 * random();
        page.rect(x, y, Math.min(end, x + word), y + 0.012, 0.1);
        x += word + 0.015;
      }
      y += random() < 0.15 ? 0.06 : 0.028;
    }
    if (seed % 2 === 0) for (let k = 0; k <= 6; k++) page.rect(0.1, 0.5 + k * 0.05, 0.9, 0.5 + k * 0.05 + 0.003, 0.2);
    out.push({ cls: 'document', name: `page-${seed}`, image: page.noise(random, 0.02).toGrey() });
  }
  return out;
}

function photographs(): Negative[] {
  const out: Negative[] = [];
  for (const seed of [1, 2, 3, 4]) {
    const random = seededRandom(200 + seed);
    const scene = new Canvas(640, 480, 0);
    for (let y = 0; y < scene.height; y++) for (let x = 0; x < scene.width; x++) scene.data[y * scene.width + x] = 0.85 - 0.4 * (y / scene.height);
    scene.ellipse(0.2 + 0.6 * random(), 0.15, 0.06, 0.08, 0.3, 'add', 0.1);
    scene.ellipse(0.5, 1.1, 0.9, 0.5, 0.35, 'set', 0.02);
    for (let k = 0; k < 12; k++) scene.ellipse(random(), 0.5 + 0.5 * random(), 0.02 + 0.1 * random(), 0.03 + 0.15 * random(), 0.1 + 0.6 * random(), 'set', 0.05);
    out.push({ cls: 'photograph', name: `scene-${seed}`, image: scene.noise(random, 0.06).toGrey() });
  }
  return out;
}

/** Axial CT slices: the body in cross-section on black; chest slices show two dark lungs. */
function ctSlices(): Negative[] {
  const out: Negative[] = [];
  for (const [seed, region] of [[1, 'chest'], [2, 'chest'], [3, 'abdomen'], [4, 'head']] as const) {
    const random = seededRandom(300 + seed);
    const slice = new Canvas(512, 512, 0);
    if (region === 'head') {
      slice.ellipse(0.5, 0.5, 0.36, 0.44, 0.95, 'set', 0.02).ellipse(0.5, 0.5, 0.32, 0.4, 0.45, 'set', 0.02);
    } else {
      slice.ellipse(0.5, 0.52, 0.42, 0.3, 0.45, 'set', 0.02);
      slice.ellipse(0.5, 0.74, 0.05, 0.05, 0.95, 'set', 0.05);
      if (region === 'chest') {
        slice.ellipse(0.33, 0.5, 0.13 + 0.02 * random(), 0.2, 0.05, 'set', 0.05).ellipse(0.67, 0.5, 0.13, 0.2, 0.05, 'set', 0.05);
        slice.ellipse(0.55, 0.48, 0.09, 0.1, 0.5, 'set', 0.1).ellipse(0.5, 0.27, 0.03, 0.02, 0.95, 'set', 0.1);
      } else {
        for (let k = 0; k < 8; k++) slice.ellipse(0.3 + 0.4 * random(), 0.35 + 0.3 * random(), 0.02 + 0.04 * random(), 0.02 + 0.03 * random(), 0.02, 'set', 0.2);
      }
    }
    out.push({ cls: 'ct-slice', name: `${region}-${seed}`, image: slice.noise(random, 0.03).toGrey() });
  }
  return out;
}

/** Radiograph-like phantoms of other views and regions: lateral chest, abdomen, skull, long bones. */
function otherRadiographs(): Negative[] {
  const out: Negative[] = [];
  for (const seed of [1, 2, 3]) {
    const random = seededRandom(400 + seed);
    const lateral = new Canvas(560, 600, 0.08);
    lateral.ellipse(0.5, 0.55, 0.32, 0.48, 0.55, 'set', 0.03).ellipse(0.52, 0.45, 0.22, 0.3, 0.22, 'set', 0.15);
    lateral.rect(0.74, 0.05, 0.8, 0.98, 0.8).ellipse(0.4, 0.62, 0.12, 0.14, 0.5, 'set', 0.2).ellipse(0.5, 0.9, 0.35, 0.12, 0.65, 'set', 0.1);
    out.push({ cls: 'lateral-chest', name: `lateral-${seed}`, image: lateral.noise(random, 0.03).toGrey() });

    const abdomen = new Canvas(600, 520, 0.1);
    abdomen.ellipse(0.5, 0.5, 0.42, 0.55, 0.5, 'set', 0.03).rect(0.47, 0, 0.53, 0.8, 0.8);
    abdomen.ellipse(0.5, 0.86, 0.3, 0.14, 0.8, 'set', 0.04).ellipse(0.5, 0.9, 0.2, 0.1, 0.5, 'set', 0.04);
    for (let k = 0; k < 10; k++) abdomen.ellipse(0.25 + 0.5 * random(), 0.25 + 0.45 * random(), 0.03 + 0.05 * random(), 0.02 + 0.04 * random(), 0.25, 'set', 0.3);
    out.push({ cls: 'abdomen', name: `abdomen-${seed}`, image: abdomen.noise(random, 0.03).toGrey() });

    const skull = new Canvas(500, 600, 0.05);
    skull.ellipse(0.5, 0.45, 0.4, 0.4, 0.9, 'set', 0.02).ellipse(0.5, 0.45, 0.36, 0.36, 0.45, 'set', 0.04);
    skull.ellipse(0.36, 0.55, 0.08, 0.06, 0.25, 'set', 0.2).ellipse(0.64, 0.55, 0.08, 0.06, 0.25, 'set', 0.2).ellipse(0.5, 0.88, 0.22, 0.1, 0.8, 'set', 0.05);
    out.push({ cls: 'skull', name: `skull-${seed}`, image: skull.noise(random, 0.03).toGrey() });

    const limb = new Canvas(420, 800, 0.06);
    limb.ellipse(0.5, 0.5, 0.3, 0.6, 0.35, 'set', 0.05);
    limb.ellipse(0.46, 0.5, 0.07, 0.55, 0.85, 'set', 0.05, 0.02 * seed).ellipse(0.6, 0.5, 0.035, 0.5, 0.8, 'set', 0.05);
    limb.ellipse(0.46, 0.5, 0.035, 0.5, 0.5, 'set', 0.2);
    out.push({ cls: 'extremity', name: `limb-${seed}`, image: limb.noise(random, 0.03).toGrey() });
  }
  return out;
}

/** Near-constant and degenerate images that the image rules (not the model) must refuse. */
function degenerate(): Negative[] {
  return [
    { cls: 'degenerate', name: 'constant', image: new Canvas(512, 512, 0.5).toGrey() },
    { cls: 'degenerate', name: 'tiny-1x1', image: new Canvas(1, 1, 0.5).toGrey() },
    { cls: 'degenerate', name: 'strip-1x4096', image: new Canvas(1, 4096, 0.5).noise(seededRandom(9), 0.3).toGrey() },
    { cls: 'degenerate', name: 'small-200x200', image: new Canvas(200, 200, 0.5).noise(seededRandom(9), 0.3).toGrey() },
  ];
}

/** Every generated negative, deterministic. */
export function generatedNegatives(): Negative[] {
  return [...noiseImages(), ...documents(), ...photographs(), ...ctSlices(), ...otherRadiographs(), ...degenerate()];
}
