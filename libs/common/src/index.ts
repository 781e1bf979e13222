export * from './errors';
export * from './result';
export * from './brixia';
export * from './logger';
export * from './clock';
export * from './worker-thread';
