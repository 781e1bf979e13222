// Jest runs each test file in its own VM realm, so typed arrays made there are not `instanceof` the
// host's typed-array constructors, and the host's are not the realm's. onnxruntime-node creates its
// output tensors from the host's Float32Array and checks them against the realm's, failing with
// "A float32 tensor's data must be type of function Float32Array()" (microsoft/onnxruntime#16622).
// Sharing the host's typed-array constructors with the test realm makes both sides agree.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

class OrtTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtTestEnvironment;
