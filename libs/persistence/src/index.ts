export * from './database';
export * from './entities';
export * from './job-queue.adapter';
export * from './scoring-store.repository';
export * from './monitoring-store.repository';
export * from './outbox.repository';
export * from './subscription-store.repository';
export * from './notification-channel.adapter';
