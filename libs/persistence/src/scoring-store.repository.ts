import { And, In, LessThan, Not, LessThanOrEqual, MoreThan, MoreThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
import { AppError } from '@brixia/common';
import {
  BrixiaResultEntity,
  FhirResourceEntity,
  ImagingStudyEntity,
  OutboxMessageEntity,
  ScoringTaskEntity,
  StoredImageEntity,
  type ScoringBusinessStatus,
  type ScoringTaskStatus,
  type StoredInstanceQuality,
  type TaskSkip,
} from './entities';
import type { JobQueue } from './job-queue.adapter';
import type { NewOutboxMessage } from './outbox.repository';
import { SubscriptionStore, type NewSubscriptionEvent } from './subscription-store.repository';
import { recordScoringRequest, type RecordedRequest, type ScoringRequestInput } from './record-scoring-request';
import { ResourceSearchStore } from './resource-search.repository';
import { ResourceHistoryStore } from './resource-history.repository';

export type { NewImage, NewStudy, RecordedRequest, ScoringRequest, ScoringRequestInput } from './record-scoring-request';

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
  readonly result: Omit<BrixiaResultEntity, 'createdAt' | 'updatedAt' | 'versionId'>;
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

/**
 * The scoring use cases' persistence: each method is one transaction, and a request is recorded
 * together with its job (style rule 3: enqueued in the same transaction that records the request).
 */
export class ScoringStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Pick<JobQueue, 'enqueueScoring' | 'wake'>,
  ) {}

  /** Records study, image and Task and enqueues the job, in one transaction (see recordScoringRequest). */
  async recordScoringRequest(input: ScoringRequestInput): Promise<RecordedRequest> {
    return recordScoringRequest(this.dataSource, this.queue, input);
  }

  /** Search over the published resources and the ImagingStudies (SQL from the search registry). */
  get searches(): ResourceSearchStore {
    return new ResourceSearchStore(this.dataSource);
  }

  /** Versions of published resources and Tasks (vread, _history). */
  get versions(): ResourceHistoryStore {
    return new ResourceHistoryStore(this.dataSource);
  }

  /** Every scoring Task record, oldest first (Task search filters the served Tasks in memory). */
  async listTasks(): Promise<ScoringTaskEntity[]> {
    return this.dataSource.manager.find(ScoringTaskEntity, { order: { updatedAt: 'ASC', id: 'ASC' } });
  }

  async findTask(id: string): Promise<ScoringTaskEntity | null> {
    return this.dataSource.manager.findOneBy(ScoringTaskEntity, { id });
  }

  async findStudyByUid(studyInstanceUid: string): Promise<ImagingStudyEntity | null> {
    return this.dataSource.manager.findOneBy(ImagingStudyEntity, { studyInstanceUid });
  }

  async findStudy(id: string): Promise<ImagingStudyEntity | null> {
    return this.dataSource.manager.findOneBy(ImagingStudyEntity, { id });
  }

  /** The bytes of the image a task scores (the `content` column is not selected by default). */
  async loadImageContent(imageId: string): Promise<{ content: Buffer; contentType: string; imagingStudyId: string } | null> {
    const row = await this.dataSource.manager
      .createQueryBuilder(StoredImageEntity, 'image')
      .addSelect('image.content')
      .where('image.id = :imageId', { imageId })
      .getOne();
    return row ? { content: row.content, contentType: row.contentType, imagingStudyId: row.imagingStudyId } : null;
  }

  /** The patient of a stored image (through its ImagingStudy), or null when the image is unknown. */
  async findImagePatientId(imageId: string): Promise<string | null> {
    const image = await this.dataSource.manager.findOneBy(StoredImageEntity, { id: imageId });
    return image ? ((await this.findStudy(image.imagingStudyId))?.patientId ?? null) : null;
  }

  /** Finds an image already held for a study (by SOP Instance UID when given). */
  async findImageForStudy(studyId: string, sopInstanceUids: readonly string[] = []): Promise<StoredImageEntity | null> {
    const query = this.dataSource.manager.createQueryBuilder(StoredImageEntity, 'image').where('image.imaging_study_id = :studyId', { studyId });
    if (sopInstanceUids.length > 0) query.andWhere('image.sop_instance_uid IN (:...uids)', { uids: sopInstanceUids });
    return query.orderBy('image.created_at', 'ASC').getOne();
  }

  /**
   * Moves an open Task to its next step. A finished Task (completed or failed) is left as it is: a
   * redelivered job can still be running when another worker finishes the Task (a worker past its job's
   * expiry, a SIGKILLed one's job redone meanwhile), and its late progress would otherwise reopen the Task
   * and make completeScoring record `publishing` again after the outbox had already delivered.
   */
  async markTaskProgress(id: string, status: ScoringTaskStatus, businessStatus: ScoringBusinessStatus, attempts?: number): Promise<void> {
    await this.dataSource.manager.update(
      ScoringTaskEntity,
      { id, status: Not(In(['completed', 'failed'])) },
      { status, businessStatus, ...(attempts !== undefined ? { attempts } : {}), updatedAt: new Date() },
    );
  }

  /** Fails a Task that is not completed (a late failure of a redelivered job never undoes a result). */
  async failTask(id: string, failure: { code: string; message: string }): Promise<void> {
    await this.dataSource.manager.update(ScoringTaskEntity, { id, status: Not('completed') }, { status: 'failed', businessStatus: 'failed', failure, updatedAt: new Date() });
  }

  /**
   * Stores the result and its FHIR resources and completes the task, atomically; a redo is a no-op. One
   * timeline point per ImagingStudy and model version, decided by the caller against `expectedPoint` (what
   * findStudyPoint answered) and re-checked here under a lock on the study row: when the point changed
   * meanwhile (another instance, a review), nothing is written and the answer is `point-changed`, for the
   * caller to decide again. With `supersedes`, the point's result leaves the timeline (superseded_by) and its
   * Task says so; the unique index brixia_result_study_point_uq is the last word on one live point.
   */
  async completeScoring(input: CompletedScoring): Promise<CompletionOutcome> {
    try {
      return await this.dataSource.transaction(async (manager): Promise<CompletionOutcome> => {
        const settled = await this.lockForPoint(manager, input.taskId, input.expectedPoint);
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
        for (const resource of input.resources) await this.putResource(manager, resource);
        for (const event of input.events ?? []) await new SubscriptionStore(this.dataSource).recordEvent(event, manager);
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

  /**
   * Completes a Task without a result of its own (businessStatus `skipped`): its study's point is another
   * instance's, `expectedPoint`, still so under the study lock (else `point-changed`, nothing written).
   */
  async skipScoring(taskId: string, expectedPoint: ExpectedPoint, skip: TaskSkip): Promise<CompletionOutcome> {
    return this.dataSource.transaction(async (manager): Promise<CompletionOutcome> => {
      const settled = await this.lockForPoint(manager, taskId, expectedPoint);
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
  private async lockForPoint(manager: EntityManager, taskId: string, expected: ExpectedPoint): Promise<CompletionOutcome | null> {
    const task = await manager.findOne(ScoringTaskEntity, { where: { id: taskId }, lock: { mode: 'pessimistic_write' } });
    if (!task) throw new AppError('RESOURCE.NOT_FOUND', 'Task not found');
    if (task.status === 'completed') return task.skipped && !task.skipped.superseded ? { state: 'skipped', skip: task.skipped } : { state: 'completed' };
    if (!task.imagingStudyId) return null;
    await manager.query('SELECT id FROM imaging_study WHERE id = $1 FOR UPDATE', [task.imagingStudyId]);
    const current = await this.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id, manager);
    const same = current === null || expected === null ? current === expected : current.observationId === expected.observationId && current.versionId === expected.versionId;
    return same ? null : { state: 'point-changed' };
  }

  /**
   * The timeline point of an ImagingStudy for a model version, scored from another Task than
   * `exceptTaskId`, or null: the AI result not superseded (the earliest, for studies recorded before one
   * point per study was held).
   */
  async findStudyPoint(imagingStudyId: string, modelVersion: string, exceptTaskId: string, manager: EntityManager = this.dataSource.manager): Promise<StudyPointRecord | null> {
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

  private async putResource(manager: EntityManager, resource: fhir4.FhirResource): Promise<void> {
    if (!resource.id) throw new AppError('INTERNAL', 'Resource without id');
    await manager.query(
      `INSERT INTO fhir_resource (resource_type, id, version_id, resource, last_updated)
       VALUES ($1, $2, 1, $3, now())
       ON CONFLICT (resource_type, id) DO UPDATE
         SET resource = EXCLUDED.resource, last_updated = now(),
             version_id = CASE WHEN fhir_resource.resource = EXCLUDED.resource THEN fhir_resource.version_id ELSE fhir_resource.version_id + 1 END`,
      [resource.resourceType, resource.id, JSON.stringify(resource)],
    );
  }

  /** Stores several resources this service serves, atomically (e.g. explanation images and their report). */
  async saveResources(resources: readonly fhir4.FhirResource[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const resource of resources) await this.putResource(manager, resource);
    });
  }

  /** Stores a resource this service serves (e.g. the model Device at start-up). */
  async saveResource(resource: fhir4.FhirResource): Promise<void> {
    await this.putResource(this.dataSource.manager, resource);
  }

  async findResource(resourceType: string, id: string): Promise<FhirResourceEntity | null> {
    return this.dataSource.manager.findOneBy(FhirResourceEntity, { resourceType, id });
  }

  /** Several resources of one type, in the order of `ids` (missing ones left out). */
  async findResources(resourceType: string, ids: readonly string[]): Promise<FhirResourceEntity[]> {
    if (ids.length === 0) return [];
    const rows = await this.dataSource.manager.findBy(FhirResourceEntity, { resourceType, id: In([...ids]) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Brixia results of one patient in clinical-time order (the timeline projection). */
  async listResults(query: {
    patientId: string;
    order?: 'ASC' | 'DESC';
    limit?: number;
    offset?: number;
    /** Acquisition-time bounds (FHIR date search prefixes ge/gt/le/lt/eq, already resolved to instants). */
    acquired?: ReadonlyArray<{ readonly op: 'ge' | 'gt' | 'le' | 'lt'; readonly at: Date }>;
  }): Promise<{ results: BrixiaResultEntity[]; total: number }> {
    const bounds = (query.acquired ?? []).map(({ op, at }) => ({ ge: MoreThanOrEqual, gt: MoreThan, le: LessThanOrEqual, lt: LessThan })[op](at));
    const [results, total] = await this.dataSource.manager.findAndCount(BrixiaResultEntity, {
      where: { patientId: query.patientId, ...(bounds.length > 0 ? { acquiredAt: bounds.length === 1 ? bounds[0] : And(...bounds) } : {}) },
      order: { acquiredAt: query.order ?? 'ASC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { results, total };
  }
}

/** Thrown inside completeScoring's transaction to roll it back when the point it supersedes changed. */
class PointChanged extends Error {}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = (error as { driverError?: { code?: string; constraint?: string } } | null)?.driverError;
  return driverError?.code === '23505' && driverError.constraint === constraint;
}
