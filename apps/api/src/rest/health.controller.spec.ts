import { Test } from '@nestjs/testing';
import type { ScoreModel } from '@brixia/inference';
import type { Database } from '@brixia/persistence';
import type { ScoringContext } from '@brixia/scoring';
import type { AppConfig } from '../config';
import { APP_CONFIG, DATABASE, SCORE_MODEL, SCORING_CONTEXT, STARTED_AT } from '../infrastructure/tokens';
import { HealthController } from './health.controller';

/** The controller is built from its own capability tokens alone: no Runtime, database or model session. */
describe('HealthController', () => {
  const identity = { name: 'bsnet', version: '9.9.9', sha256: 'ab'.repeat(32), preprocessingId: 'bsnet-v1' };
  const startedAt = new Date('2026-12-02T01:00:00Z');

  async function build(model: Pick<ScoreModel, 'executionProvider'> | null): Promise<HealthController> {
    const module = await Test.createTestingModule({
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: { role: 'api' } as Partial<AppConfig> },
        { provide: DATABASE, useValue: { mode: 'embedded' } as Partial<Database> },
        { provide: SCORING_CONTEXT, useValue: { model: { identity } } as Partial<ScoringContext> },
        { provide: SCORE_MODEL, useFactory: () => model },
        { provide: STARTED_AT, useValue: startedAt },
      ],
    }).compile();
    return module.get(HealthController);
  }

  it('reports role, database mode, model identity and start time; no execution provider without a loaded model', async () => {
    const controller = await build(null);
    expect(controller.health()).toEqual({ status: 'ok', role: 'api', database: 'embedded', model: identity, executionProvider: null, startedAt: '2026-12-02T01:00:00.000Z' });
  });

  it('reports the execution provider of the loaded model', async () => {
    const controller = await build({ executionProvider: 'cpu' });
    expect(controller.health()).toMatchObject({ executionProvider: 'cpu' });
  });
});
