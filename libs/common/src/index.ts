export * from './errors';
export * from './brixia';
export * from './logger';
export * from './clock';
export * from './retry-policy';
