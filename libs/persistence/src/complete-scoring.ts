import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@brixia/common';
import { BrixiaResultEntity, OutboxMessageEntity, ScoringTaskEntity } from './entities';
import { putFhirResource } from './fhir-resource-store.repository';
import type { NewOutboxMessage } from './outbox.repository';
import type { BrixiaResultRecord, StoredInstanceQuality, TaskSkip } from './records';
import type { NewSubscriptionEvent, SubscriptionStore } from './subscription-store.repository';

/**
 * What completing a Task did: stored its result, recorded it as skipped (its study has its point), or
 * nothing because the study's point changed since the caller read it (decide again).
 */
export type CompletionOutcome = { readonly state: 'completed' } | { readonly state: 'skipped'; readonly skip: TaskSkip } | { readonly state: 'point-changed' };

/** An ImagingStudy's timeline point as stored: its result, that result's version and status, its instance's quality. */
export interface StudyPointRecord {
  readonly observationId: string;
  readonly versionId: number;
  readonly status: string;
  readonly quality: StoredInstanceQuality | null;
  /** Its DiagnosticReport (a superseding result's Provenance names it too). */
  readonly diagnosticReportId: string | null;
}

/** The point a decision was made against (observation id and version), or null for a study without one. */
export type ExpectedPoint = Pick<StudyPointRecord, 'observationId' | 'versionId'> | null;

export interface CompletedScoring {
  readonly taskId: string;
  readonly result: Omit<BrixiaResultRecord, 'createdAt' | 'updatedAt' | 'versionId'>;
  /** FHIR resources to serve (Observation, DiagnosticReport, Provenance, Device). */
  readonly resources: readonly fhir4.FhirResource[];
  readonly diagnosticReportId?: string;
  /** Publication to the study's EHR, enqueued in the same transaction (transactional outbox). */
  readonly outbox?: NewOutboxMessage;
  /** Subscription topic events (a result created), recorded in the same transaction. */
  readonly events?: readonly NewSubscriptionEvent[];
  /** The study's point the caller decided against (findStudyPoint); null when it had none. */
  readonly expectedPoint: ExpectedPoint;
  /** The point this result replaces (a better instance of the study), with the reason for its Task. */
  readonly supersedes?: { readonly observationId: string; readonly reason: string };
}

/** What completing a Task writes through besides its own tables. */
export interface CompletionWriters {
  readonly subscriptions: Pick<SubscriptionStore, 'recordEvent'>;
}

/** Thrown inside completeScoring's transaction to roll it back when the point it supersedes changed. */
class PointChanged extends Error {}

/** See ScoringStore.completeScoring. */
export async function completeScoring(dataSource: DataSource, writers: CompletionWriters, input: CompletedScoring): Promise<CompletionOutcome> {
  try {
    return await dataSource.transaction(async (manager): Promise<CompletionOutcome> => {
      const settled = await lockForPoint(manager, input.taskId, input.expectedPoint);
      if (settled) return settled;
      // The old point leaves first: the unique index holds one live point at every statement.
      if (input.supersedes) {
        const superseded = input.supersedes;
        // Only the version decided against, not yet superseded: a review that landed meanwhile (it does not take
        // the study lock) wins, and this instance is decided again.
        const updated = (await manager.query(
          `UPDATE brixia_result SET superseded_by = $2, updated_at = now() WHERE id = $1 AND version_id = $3 AND superseded_by IS NULL RETURNING id`,
          [superseded.observationId, input.result.id, input.expectedPoint?.versionId ?? -1],
        )) as unknown[];
        const rows = Array.isArray(updated[0]) ? (updated[0] as unknown[]) : updated;
        if (rows.length === 0) throw new PointChanged();
        await manager.query(
          `UPDATE scoring_task SET business_status = 'superseded', skipped = $3, updated_at = now() WHERE id = (SELECT task_id FROM brixia_result WHERE id = $1) AND status = 'completed' AND id <> $2`,
          [superseded.observationId, input.taskId, JSON.stringify({ reason: superseded.reason, pointObservationId: input.result.id, superseded: true } satisfies TaskSkip)],
        );
      }
      // Conflicts on the id only (a redo cannot reach here: the Task is locked and still open); a second live
      // point raises brixia_result_study_point_uq instead of being ignored.
      await manager
        .createQueryBuilder()
        .insert()
        .into(BrixiaResultEntity)
        .values({ ...input.result, versionId: 1 })
        .onConflict('("id") DO NOTHING')
        .execute();
      for (const resource of input.resources) await putFhirResource(manager, resource);
      for (const event of input.events ?? []) await writers.subscriptions.recordEvent(event, manager);
      if (input.outbox) {
        await manager.createQueryBuilder().insert().into(OutboxMessageEntity).values({ ...input.outbox, state: 'pending', attempts: 0 }).orIgnore().execute();
      }
      await manager.update(
        ScoringTaskEntity,
        { id: input.taskId },
        { status: 'completed', businessStatus: input.outbox ? 'publishing' : 'done', failure: null, observationId: input.result.id, diagnosticReportId: input.diagnosticReportId ?? null, updatedAt: new Date() },
      );
      return { state: 'completed' };
    });
  } catch (error) {
    if (error instanceof PointChanged) return { state: 'point-changed' };
    // The index saw another live point the lock did not: the same as the point having changed.
    if (isUniqueViolation(error, 'brixia_result_study_point_uq')) return { state: 'point-changed' };
    throw error;
  }
}

/** See ScoringStore.skipScoring. */
export async function skipScoring(dataSource: DataSource, taskId: string, expectedPoint: ExpectedPoint, skip: TaskSkip): Promise<CompletionOutcome> {
  return dataSource.transaction(async (manager): Promise<CompletionOutcome> => {
    const settled = await lockForPoint(manager, taskId, expectedPoint);
    if (settled) return settled;
    await manager.update(ScoringTaskEntity, { id: taskId }, { status: 'completed', businessStatus: 'skipped', skipped: skip, failure: null, updatedAt: new Date() });
    return { state: 'skipped', skip };
  });
}

/**
 * Locks the Task, then its study row (every writer of a study's point takes it, so they run one at a
 * time), and answers what to return instead of writing: the Task already ended (a redo), or the study's
 * point is no longer `expected`. Null: go ahead.
 */
async function lockForPoint(manager: EntityManager, taskId: string, expected: ExpectedPoint): Promise<CompletionOutcome | null> {
  const task = await manager.findOne(ScoringTaskEntity, { where: { id: taskId }, lock: { mode: 'pessimistic_write' } });
  if (!task) throw new AppError('RESOURCE.NOT_FOUND', 'Task not found');
  if (task.status === 'completed') return task.skipped && !task.skipped.superseded ? { state: 'skipped', skip: task.skipped } : { state: 'completed' };
  if (!task.imagingStudyId) return null;
  await manager.query('SELECT id FROM imaging_study WHERE id = $1 FOR UPDATE', [task.imagingStudyId]);
  const current = await findStudyPoint(manager, task.imagingStudyId, task.modelVersion, task.id);
  const same = current === null || expected === null ? current === expected : current.observationId === expected.observationId && current.versionId === expected.versionId;
  return same ? null : { state: 'point-changed' };
}

/** See ScoringStore.findStudyPoint; `manager` reads inside the caller's transaction. */
export async function findStudyPoint(manager: EntityManager, imagingStudyId: string, modelVersion: string, exceptTaskId: string): Promise<StudyPointRecord | null> {
  const rows = (await manager.query(
    `SELECT r.id, r.version_id, r.status, r.instance_quality, t.diagnostic_report_id FROM brixia_result r
       LEFT JOIN scoring_task t ON t.id = r.task_id
      WHERE r.imaging_study_id = $1 AND r.model_version = $2 AND r.task_id IS NOT NULL AND r.task_id <> $3 AND r.superseded_by IS NULL
      ORDER BY r.created_at, r.id LIMIT 1`,
    [imagingStudyId, modelVersion, exceptTaskId],
  )) as Array<{ id: string; version_id: number; status: string; instance_quality: StoredInstanceQuality | null; diagnostic_report_id: string | null }>;
  const row = rows[0];
  return row
    ? { observationId: row.id, versionId: Number(row.version_id), status: row.status, quality: row.instance_quality ?? null, diagnosticReportId: row.diagnostic_report_id ?? null }
    : null;
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } } | null)?.driverError;
  return driverError?.code === '23505' && driverError.constraint === constraint;
}
