export * from './timeline';
export * from './timeline.service';
