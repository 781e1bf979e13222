// Jest runs each test file in its own VM realm, so typed arrays made there are not `instanceof` the
// host's typed-array constructors, and the host's are not the realm's. onnxruntime-node creates its
// output tensors from the host's Float32Array and checks them against the realm's, failing with
// "A float32 tensor's data must be type of function Float32Array()" (microsoft/onnxruntime#16622).
// Sharing the host's typed-array constructors with the test realm makes both sides agree.
//
// The FHIR R4 validators of @brixia/fhir/testing take 5–10 s to load (StructureDefinitions, the compiled
// JSON Schema), and each test file's fresh module registry would load them again. This environment loads
// them once per Jest worker process, on first use, and offers them to every file's realm
// (libs/fhir/src/testing/shared-validators.ts). Likewise the e2e suite's OpenID provider, below.
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

// One development OpenID provider per worker for the e2e services no browser signs in to
// (test/support/auth.ts sharedTestIssuer): a child process, stopped when the worker exits.
let sharedIssuer;
function sharedTestIssuer() {
  if (!sharedIssuer) {
    require('./register.js');
    const { startTestIssuer } = require(path.join(__dirname, '..', 'test/support/auth.ts'));
    sharedIssuer = startTestIssuer([], 'until-process-exit');
    sharedIssuer.catch(() => (sharedIssuer = undefined));
  }
  return sharedIssuer;
}

class OrtTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
    Object.defineProperty(this.global, '__brixiaFhirValidators', { configurable: true, get: sharedFhirValidators });
    this.global.__brixiaSharedTestIssuer = sharedTestIssuer;
  }
}

module.exports = OrtTestEnvironment;
