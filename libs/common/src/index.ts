export * from './errors';
export * from './brixia';
export * from './logger';
export * from './clock';
export * from './worker-thread';
export * from './retry-policy';
