import type { Zone, ZoneScore } from '@brixia/common';
import type { ScoringStore } from '@brixia/persistence';
import { buildTimeline, type Timeline } from './timeline';

/** The patient's series with deltas, from the Postgres projection (fast, sorted by clinical time). */
export async function readTimeline(store: Pick<ScoringStore, 'listResults'>, patientId: string): Promise<Timeline> {
  const { results } = await store.listResults({ patientId, order: 'ASC' });
  return buildTimeline(
    patientId,
    results.map((row) => ({
      observationId: row.id,
      imagingStudyId: row.imagingStudyId,
      acquiredAt: row.acquiredAt,
      global: row.globalScore,
      zones: row.zoneScores as Record<Zone, ZoneScore>,
      method: row.method,
      status: row.status,
      modelVersion: row.modelVersion,
    })),
  );
}
