import type { DataSource } from 'typeorm';

export interface QueryRecorder {
  /** SQL text of every query run since start (all connections of the DataSource). */
  readonly queries: string[];
  stop(): void;
}

/**
 * Records the SQL a DataSource runs, by wrapping its logger (TypeORM's query runners report every
 * query to it, whatever the logging option). For tests that assert on query counts (N+1 checks).
 */
export function recordQueries(dataSource: DataSource): QueryRecorder {
  const original = dataSource.logger;
  const queries: string[] = [];
  const recording = Object.create(original) as typeof original;
  recording.logQuery = (query, parameters, runner): void => {
    queries.push(query);
    original.logQuery(query, parameters, runner);
  };
  (dataSource as { logger: typeof original }).logger = recording;
  return {
    queries,
    stop(): void {
      (dataSource as { logger: typeof original }).logger = original;
    },
  };
}
