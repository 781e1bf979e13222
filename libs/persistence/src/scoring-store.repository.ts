import { And, In, LessThan, Not, LessThanOrEqual, MoreThan, MoreThanOrEqual, type DataSource } from 'typeorm';
import { BrixiaResultEntity, ImagingStudyEntity, ScoringTaskEntity, StoredImageEntity } from './entities';
import { toBrixiaResultRecord, toImagingStudyRecord, toScoringTaskRecord, toStoredImageRecord } from './entity-records.mapper';
import type { FhirResourceStore } from './fhir-resource-store.repository';
import type { JobQueue } from './job-queue.adapter';
import type { SubscriptionStore } from './subscription-store.repository';
import { recordScoringRequest, type RecordedRequest, type ScoringRequestInput } from './record-scoring-request';
import { completeScoring, findStudyPoint, skipScoring, type CompletedScoring, type CompletionOutcome, type ExpectedPoint, type StudyPointRecord } from './complete-scoring';
import type { ResourceSearchStore } from './resource-search.repository';
import type { ResourceHistoryStore } from './resource-history.repository';
import type { BrixiaResultRecord, FhirResourceRecord, ImagingStudyRecord, ScoringBusinessStatus, ScoringTaskRecord, ScoringTaskStatus, StoredImageRecord, TaskSkip } from './records';

export type { NewImage, NewStudy, RecordedRequest, ScoringRequest, ScoringRequestInput } from './record-scoring-request';
export type { CompletedScoring, CompletionOutcome, ExpectedPoint, StudyPointRecord } from './complete-scoring';

/** The stores ScoringStore works with, given by the composition (createStores), never built inside it. */
export interface ScoringStoreParts {
  /** The published FHIR resources (the one putFhirResource). */
  readonly resources: FhirResourceStore;
  /** Topic events, recorded in the transaction of the result that raises them. */
  readonly subscriptions: Pick<SubscriptionStore, 'recordEvent'>;
  readonly searches: ResourceSearchStore;
  readonly versions: ResourceHistoryStore;
}

/**
 * The scoring use cases' persistence: each method is one transaction, and a request is recorded
 * together with its job (style rule 3: enqueued in the same transaction that records the request).
 */
export class ScoringStore {
  /** Search over the published resources and the ImagingStudies (SQL from the search registry). */
  readonly searches: ResourceSearchStore;
  /** Versions of published resources and Tasks (vread, _history). */
  readonly versions: ResourceHistoryStore;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: Pick<JobQueue, 'enqueueScoring' | 'wake'>,
    private readonly parts: ScoringStoreParts,
  ) {
    this.searches = parts.searches;
    this.versions = parts.versions;
  }

  /** Records study, image and Task and enqueues the job, in one transaction (see recordScoringRequest). */
  async recordScoringRequest(input: ScoringRequestInput): Promise<RecordedRequest> {
    return recordScoringRequest(this.dataSource, this.queue, input);
  }

  /** Every scoring Task record, oldest first (Task search filters the served Tasks in memory). */
  async listTasks(): Promise<ScoringTaskRecord[]> {
    const rows = await this.dataSource.manager.find(ScoringTaskEntity, { order: { updatedAt: 'ASC', id: 'ASC' } });
    return rows.map(toScoringTaskRecord);
  }

  async findTask(id: string): Promise<ScoringTaskRecord | null> {
    const row = await this.dataSource.manager.findOneBy(ScoringTaskEntity, { id });
    return row ? toScoringTaskRecord(row) : null;
  }

  async findStudyByUid(studyInstanceUid: string): Promise<ImagingStudyRecord | null> {
    const row = await this.dataSource.manager.findOneBy(ImagingStudyEntity, { studyInstanceUid });
    return row ? toImagingStudyRecord(row) : null;
  }

  async findStudy(id: string): Promise<ImagingStudyRecord | null> {
    const row = await this.dataSource.manager.findOneBy(ImagingStudyEntity, { id });
    return row ? toImagingStudyRecord(row) : null;
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
  async findImageForStudy(studyId: string, sopInstanceUids: readonly string[] = []): Promise<StoredImageRecord | null> {
    const query = this.dataSource.manager.createQueryBuilder(StoredImageEntity, 'image').where('image.imaging_study_id = :studyId', { studyId });
    if (sopInstanceUids.length > 0) query.andWhere('image.sop_instance_uid IN (:...uids)', { uids: sopInstanceUids });
    const row = await query.orderBy('image.created_at', 'ASC').getOne();
    return row ? toStoredImageRecord(row) : null;
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
    return completeScoring(this.dataSource, this.parts, input);
  }

  /**
   * Completes a Task without a result of its own (businessStatus `skipped`): its study's point is another
   * instance's, `expectedPoint`, still so under the study lock (else `point-changed`, nothing written).
   */
  async skipScoring(taskId: string, expectedPoint: ExpectedPoint, skip: TaskSkip): Promise<CompletionOutcome> {
    return skipScoring(this.dataSource, taskId, expectedPoint, skip);
  }

  /**
   * The timeline point of an ImagingStudy for a model version, scored from another Task than
   * `exceptTaskId`, or null: the AI result not superseded (the earliest, for studies recorded before one
   * point per study was held).
   */
  async findStudyPoint(imagingStudyId: string, modelVersion: string, exceptTaskId: string): Promise<StudyPointRecord | null> {
    return findStudyPoint(this.dataSource.manager, imagingStudyId, modelVersion, exceptTaskId);
  }

  /** Stores several resources this service serves, atomically (e.g. explanation images and their report). */
  async saveResources(resources: readonly fhir4.FhirResource[]): Promise<void> {
    await this.parts.resources.putAll(resources);
  }

  /** Stores a resource this service serves (e.g. the model Device at start-up); its version: see putFhirResource. */
  async saveResource(resource: fhir4.FhirResource): Promise<void> {
    await this.parts.resources.put(resource);
  }

  async findResource(resourceType: string, id: string): Promise<FhirResourceRecord | null> {
    return this.parts.resources.findResource(resourceType, id);
  }

  /** Brixia results of one patient in clinical-time order (the timeline projection). */
  async listResults(query: {
    patientId: string;
    order?: 'ASC' | 'DESC';
    limit?: number;
    offset?: number;
    /** Acquisition-time bounds (FHIR date search prefixes ge/gt/le/lt/eq, already resolved to instants). */
    acquired?: ReadonlyArray<{ readonly op: 'ge' | 'gt' | 'le' | 'lt'; readonly at: Date }>;
  }): Promise<{ results: BrixiaResultRecord[]; total: number }> {
    const bounds = (query.acquired ?? []).map(({ op, at }) => ({ ge: MoreThanOrEqual, gt: MoreThan, le: LessThanOrEqual, lt: LessThan })[op](at));
    const [results, total] = await this.dataSource.manager.findAndCount(BrixiaResultEntity, {
      where: { patientId: query.patientId, ...(bounds.length > 0 ? { acquiredAt: bounds.length === 1 ? bounds[0] : And(...bounds) } : {}) },
      order: { acquiredAt: query.order ?? 'ASC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { results: results.map(toBrixiaResultRecord), total };
  }
}
