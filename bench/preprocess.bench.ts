/**
 * bsnet-v1 preprocessing time for one radiograph (triangle resize to 512², equalisation over 4096
 * levels), median of several runs after a warm-up; the speed check that used to sit in a unit test.
 *
 *   node -r ./tools/register.js bench/preprocess.bench.ts [--size 2000] [--runs 20]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { preprocessForBsnet } from '@brixia/imaging';

const { values } = parseArgs({ options: { size: { type: 'string', default: '2000' }, runs: { type: 'string', default: '20' } } });
const size = Number(values.size);
const runs = Number(values.runs);
const pixels = Uint8Array.from({ length: size * size }, (_, i) => (i * 31 + (i >> 11)) % 256);
preprocessForBsnet({ width: 64, height: 64, pixels: pixels.subarray(0, 4096) }); // warm the JIT
const times: number[] = [];
for (let r = 0; r < runs; r++) {
  const started = performance.now();
  preprocessForBsnet({ width: size, height: size, pixels });
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
console.log(`| preprocess ${size}×${size} → 512² (bsnet-v1) | median ${times[Math.floor(runs / 2)].toFixed(1)} ms | min ${times[0].toFixed(1)} ms | ${cpus().length} cores, load ${loadavg()[0].toFixed(1)} |`);
