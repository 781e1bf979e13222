// Jest runs each test file in its own VM realm, so typed arrays made there are not `instanceof` the
// host's typed-array constructors, and the host's are not the realm's. onnxruntime-node creates its
// output tensors from the host's Float32Array and checks them against the realm's, failing with
// "A float32 tensor's data must be type of function Float32Array()" (microsoft/onnxruntime#16622).
// Sharing the host's typed-array constructors with the test realm makes both sides agree.
//
// The FHIR R4 validators of @brixia/fhir/testing take 5–10 s to load (StructureDefinitions, the compiled
// JSON Schema), and each test file's fresh module registry would load them again. This environment loads
// them once per Jest worker process, on first use, and offers them to every file's realm
// (libs/fhir/src/testing/shared-validators.ts).
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
];

let fhirValidators;
function sharedFhirValidators() {
  if (!fhirValidators) {
    require('./register.js');
    fhirValidators = require(path.join(__dirname, '..', 'libs/fhir/src/testing/shared-validators.ts')).LOCAL_VALIDATORS;
  }
  return fhirValidators;
}

class OrtTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
    Object.defineProperty(this.global, '__brixiaFhirValidators', { configurable: true, get: sharedFhirValidators });
  }
}

module.exports = OrtTestEnvironment;
