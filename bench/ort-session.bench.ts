/**
 * Raw onnxruntime session.run time per image for the committed BS-Net on the CPU, at batch 1, 2, 4
 * and 8, with the int8 weights left as exported (DequantizeLinear nodes; ONNX Runtime may fuse them
 * into integer kernels) and dequantised once at session creation (session.disable_quant_qdq = 1, which
 * lets constant folding turn DequantizeLinear(initializer) into float32 weights). The two sessions run
 * alternately so that load from other processes affects both alike. Prints a markdown table.
 *
 *   node -r ./tools/register.js bench/ort-session.bench.ts [--runs 5] [--batches 1,2,4,8]
 *        [--threads N] [--model-dir DIR] [--outputs zone_probs|all] [--warmup 1]
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { BSNET_OUTPUT_NAMES, DEFAULT_MODEL_DIR, openBsnetSession, type BsnetOutputName, type BsnetSession } from '@brixia/inference';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    batches: { type: 'string', default: '1,2,4,8' },
    threads: { type: 'string' },
    'model-dir': { type: 'string', default: DEFAULT_MODEL_DIR },
    outputs: { type: 'string', default: 'zone_probs' },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);
const batches = values.batches.split(',').map(Number);
const intraOpNumThreads = values.threads === undefined ? undefined : Number(values.threads);
const outputs: readonly BsnetOutputName[] = values.outputs === 'all' ? BSNET_OUTPUT_NAMES : ['zone_probs'];

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A smooth, deterministic chest-sized pattern in [0, 1]; timing does not depend on content. */
function syntheticImages(count: number, size: number): Float32Array {
  const data = new Float32Array(count * size);
  const side = Math.round(Math.sqrt(size));
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < size; i++) {
      const y = Math.floor(i / side) / side;
      const x = (i % side) / side;
      data[n * size + i] = 0.5 + 0.5 * Math.sin(6 * x + n) * Math.cos(4 * y);
    }
  }
  return data;
}

interface Mode {
  readonly label: string;
  readonly dequantize: boolean;
}

const MODES: readonly Mode[] = [
  { label: 'int8 QDQ as exported (ORT default: DequantizeLinear every run)', dequantize: false },
  { label: 'int8 weights dequantised once at load (session.disable_quant_qdq=1)', dequantize: true },
];

async function main(): Promise<void> {
  const sessions: BsnetSession[] = [];
  const createMs: number[] = [];
  for (const mode of MODES) {
    const t0 = performance.now();
    sessions.push(
      await openBsnetSession({ modelDir: values['model-dir'], executionProviders: ['cpu'], dequantizeWeightsOnCpu: mode.dequantize, intraOpNumThreads }),
    );
    createMs.push(performance.now() - t0);
  }
  const perImage = MODES.map(() => new Map<number, number>());
  const firstOutputs: Float32Array[] = [];
  for (const batch of batches) {
    const input = syntheticImages(batch, sessions[0].layout.inputSize);
    const times: number[][] = MODES.map(() => []);
    // The two paths alternate run by run, so that load from other processes hits both alike.
    for (let r = 0; r < warmup + runs; r++) {
      for (const [m, session] of sessions.entries()) {
        const start = performance.now();
        const result = await session.run(input, batch, outputs);
        if (r >= warmup) times[m].push(performance.now() - start);
        if (batch === batches[0] && r === 0) firstOutputs[m] = result.zone_probs?.data.slice() ?? new Float32Array();
      }
    }
    MODES.forEach((_, m) => perImage[m].set(batch, median(times[m]) / batch));
    process.stderr.write(`batch ${batch}: ${MODES.map((_, m) => (median(times[m]) / batch).toFixed(0)).join(' / ')} ms/image\n`);
  }
  for (const session of sessions) await session.release();
  const maxDiff = firstOutputs[0].reduce((m, v, i) => Math.max(m, Math.abs(v - firstOutputs[1][i])), 0);
  const head = `| CPU path | session create ms | ${batches.map((b) => `batch ${b} ms/img`).join(' | ')} |`;
  const rule = `|---|---:|${batches.map(() => '---:').join('|')}|`;
  const lines = MODES.map(
    (mode, m) => `| ${mode.label} | ${createMs[m].toFixed(0)} | ${batches.map((b) => (perImage[m].get(b) ?? NaN).toFixed(0)).join(' | ')} |`,
  );
  console.log([head, rule, ...lines].join('\n'));
  console.log(
    `\n${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ` +
      `median of ${runs} runs after ${warmup} warm-up; fetches: ${outputs.join(', ')}; intra-op threads: ${intraOpNumThreads ?? 'ORT default'}; ` +
      `max |Δ zone_probs| between the paths: ${maxDiff.toExponential(2)}`,
  );
}

void main();
