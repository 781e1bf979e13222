// Runs the TypeScript sources directly: SWC transpiles (keeping decorator metadata for Nest)
// and tsconfig-style path aliases resolve @brixia/* to the libs.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
// Keep `import()` as a real dynamic import (as .swcrc does for Jest): ESM-only packages such as
// fhir-kit-client 2 can only be loaded that way from CommonJS.
process.env.SWC_NODE_IGNORE_DYNAMIC = process.env.SWC_NODE_IGNORE_DYNAMIC || '1';
require('reflect-metadata');
require('@swc-node/register');
