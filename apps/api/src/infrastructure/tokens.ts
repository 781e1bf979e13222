/** Injection tokens of the composition root. */
export const RUNTIME = Symbol('RUNTIME');
/** The bearer-token verifier and the issuer's metadata (auth/resource-server.ts). */
export const RESOURCE_SERVER = Symbol('RESOURCE_SERVER');
