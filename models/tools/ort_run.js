// Runs an ONNX model with onnxruntime-node (CPU) on raw float32 input and writes each output as raw
// float32 plus meta.json (dims, timings). Used by the Python export check and the CPU benchmark, because
// onnxruntime has no Python build here.
// usage: node ort_run.js --model M.onnx --input X.f32 --n N --out DIR [--repeat K] [--threads T]
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

async function main() {
  const a = args(process.argv);
  const n = Number(a.n);
  const repeat = Number(a.repeat || 0);
  const opts = { executionProviders: ['cpu'] };
  if (a.threads) opts.intraOpNumThreads = Number(a.threads);
  const session = await ort.InferenceSession.create(a.model, opts);
  const buf = fs.readFileSync(a.input);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const feeds = { image: new ort.Tensor('float32', data, [n, 1, 512, 512]) };
  let results = await session.run(feeds);
  const timingsMs = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = process.hrtime.bigint();
    results = await session.run(feeds);
    timingsMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  fs.mkdirSync(a.out, { recursive: true });
  const meta = { inputs: session.inputNames, outputs: {}, timingsMs };
  for (const name of session.outputNames) {
    const t = results[name];
    meta.outputs[name] = t.dims;
    fs.writeFileSync(path.join(a.out, name + '.f32'), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  fs.writeFileSync(path.join(a.out, 'meta.json'), JSON.stringify(meta));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
