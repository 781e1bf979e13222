export * from './scoring-context';
export * from './task-completion';
export * from './submit-upload.use-case';
export * from './process-scoring-job.use-case';
export * from './score-study.use-case';
export * from './read-results.use-case';
export * from './await-outcome.use-case';
