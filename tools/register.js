// Runs the TypeScript sources directly: SWC transpiles (keeping decorator metadata for Nest)
// and tsconfig-style path aliases resolve @brixia/* to the libs.
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('reflect-metadata');
require('@swc-node/register');
