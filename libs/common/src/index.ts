export * from './errors';
export * from './brixia';
export * from './logger';
export * from './clock';
export * from './worker-thread';
export * from './worker-pool';
// The message types stay internal to the pool and its threads.
export { parentLogger, serveWorkerRequests, wholeBuffers, type WorkerReply } from './worker-protocol';
export * from './retry-policy';
