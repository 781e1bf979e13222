/** Injection tokens of the composition root. */
export const RUNTIME = Symbol('RUNTIME');
