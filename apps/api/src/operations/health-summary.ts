import type { ScoreModel } from '@brixia/inference';
import type { Database } from '@brixia/persistence';
import type { ScoringContext } from '@brixia/scoring';
import type { AppConfig } from '../config';

/** The parts GET /health reports on. */
export interface HealthParts {
  readonly config: Pick<AppConfig, 'role'>;
  readonly database: Pick<Database, 'mode'>;
  readonly scoring: Pick<ScoringContext, 'model'>;
  readonly model?: Pick<ScoreModel, 'executionProvider'> | null;
  readonly startedAt: Date;
}

/** What GET /health says: role, database mode, model identity and the execution provider in use. */
export function healthSummary(parts: HealthParts): Record<string, unknown> {
  const { model, scoring, database, config, startedAt } = parts;
  return {
    status: 'ok',
    role: config.role,
    database: database.mode,
    model: { ...scoring.model.identity },
    executionProvider: model?.executionProvider ?? null,
    startedAt: startedAt.toISOString(),
  };
}
