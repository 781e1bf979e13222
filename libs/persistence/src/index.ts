export * from './database';
export * from './entities';
export * from './job-queue.adapter';
export * from './scoring-store.repository';
