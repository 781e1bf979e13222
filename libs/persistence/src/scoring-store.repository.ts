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
  type TaskSkip,
} from './entities';
import type { JobQueue } from './job-queue.adapter';
import type { NewOutboxMessage } from './outbox.repository';
import { SubscriptionStore, type NewSubscriptionEvent } from './subscription-store.repository';
import { recordScoringRequest, type RecordedRequest, type ScoringRequestInput } from './record-scoring-request';
import { ResourceSearchStore } from './resource-search.repository';
import { ResourceHistoryStore } from './resource-history.repository';

export type { NewImage, NewStudy, RecordedRequest, ScoringRequest, ScoringRequestInput } from './record-scoring-request';

/** What completing a Task did: stored its result, or recorded it as skipped (its study has its point). */
export type CompletionOutcome = { readonly state: 'completed' } | { readonly state: 'skipped'; readonly skip: TaskSkip };

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
   * timeline point per ImagingStudy and model version: under a lock on the study row, a study that already
   * has its point from another instance's Task gets none from this one, which completes as skipped.
   */
  async completeScoring(input: CompletedScoring): Promise<CompletionOutcome> {
    return this.dataSource.transaction(async (manager): Promise<CompletionOutcome> => {
      const task = await manager.findOne(ScoringTaskEntity, { where: { id: input.taskId }, lock: { mode: 'pessimistic_write' } });
      if (!task) throw new AppError('RESOURCE.NOT_FOUND', 'Task not found');
      if (task.status === 'completed') return task.skipped ? { state: 'skipped', skip: task.skipped } : { state: 'completed' };
      if (task.imagingStudyId) {
        await manager.query('SELECT id FROM imaging_study WHERE id = $1 FOR UPDATE', [task.imagingStudyId]);
        const pointObservationId = await this.findStudyPoint(task.imagingStudyId, task.modelVersion, task.id, manager);
        if (pointObservationId) {
          const skip = skipFor(pointObservationId);
          await this.recordSkip(manager, task.id, skip);
          return { state: 'skipped', skip };
        }
      }
      await manager
        .createQueryBuilder()
        .insert()
        .into(BrixiaResultEntity)
        .values({ ...input.result, versionId: 1 })
        .orIgnore()
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
  }

  /**
   * The Observation id of an ImagingStudy's timeline point for a model version, scored from another Task
   * than `exceptTaskId` (the first one stored), or null.
   */
  async findStudyPoint(imagingStudyId: string, modelVersion: string, exceptTaskId: string, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT id FROM brixia_result
        WHERE imaging_study_id = $1 AND model_version = $2 AND task_id IS NOT NULL AND task_id <> $3
        ORDER BY created_at, id LIMIT 1`,
      [imagingStudyId, modelVersion, exceptTaskId],
    )) as Array<{ id: string }>;
    return rows[0]?.id ?? null;
  }

  /** Completes a Task without a result of its own: its study's point comes from another instance. */
  async skipTask(id: string, pointObservationId: string): Promise<TaskSkip> {
    const skip = skipFor(pointObservationId);
    await this.recordSkip(this.dataSource.manager, id, skip);
    return skip;
  }

  private async recordSkip(manager: EntityManager, id: string, skip: TaskSkip): Promise<void> {
    await manager.update(ScoringTaskEntity, { id }, { status: 'completed', businessStatus: 'skipped', skipped: skip, failure: null, updatedAt: new Date() });
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

function skipFor(pointObservationId: string): TaskSkip {
  return {
    reason: 'Another instance of this ImagingStudy is already its timeline point (one point per study and model version): no result is recorded for this instance',
    pointObservationId,
  };
}
