import { CreateScoringTables1764230400000 } from './1764230400000-create-scoring-tables';

/** Every migration in order; the only way the schema changes (run at start-up). */
export const MIGRATIONS = [CreateScoringTables1764230400000];
