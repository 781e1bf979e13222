import { Test } from '@nestjs/testing';
import type { ScoreModel } from '@brixia/inference';
import type { Database } from '@brixia/persistence';
import type { ScoringContext } from '@brixia/scoring';
import type { AppConfig } from '../config';
import { OPERATIONS } from '../infrastructure/tokens';
import { healthSummary } from '../operations/health-summary';
import type { OperationsEndpoints } from '../operations/operations-server';
import { HealthController } from './health.controller';

/** The controller is built from its own capability tokens alone: no Runtime, database or model session. */
describe('HealthController', () => {
  const identity = { name: 'bsnet', version: '9.9.9', sha256: 'ab'.repeat(32), preprocessingId: 'bsnet-v1' };
  const startedAt = new Date('2026-12-02T01:00:00Z');

  async function build(model: Pick<ScoreModel, 'executionProvider'> | null): Promise<HealthController> {
    const module = await Test.createTestingModule({
      controllers: [HealthController],
      providers: [
        {
          provide: OPERATIONS,
          useValue: {
            health: () => healthSummary({ config: { role: 'api' } as AppConfig, database: { mode: 'embedded' } as Database, scoring: { model: { identity } } as ScoringContext, model, startedAt }),
          } as Partial<OperationsEndpoints>,
        },
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
