export * from './principal';
export * from './smart-scopes';
export * from './access-token-verifier';
export * from './patient-compartment';
