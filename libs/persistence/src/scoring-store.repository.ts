import { randomUUID } from 'node:crypto';
import { And, In, LessThan, LessThanOrEqual, MoreThan, MoreThanOrEqual, type DataSource, type EntityManager } from 'typeorm';
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
} from './entities';
import type { JobQueue } from './job-queue.adapter';
import type { NewOutboxMessage } from './outbox.repository';
import { SubscriptionStore, type NewSubscriptionEvent } from './subscription-store.repository';

export interface NewStudy {
  readonly id: string;
  readonly patientId: string;
  readonly studyInstanceUid: string | null;
  readonly source: ImagingStudyEntity['source'];
  readonly resource: fhir4.ImagingStudy;
}

export interface NewImage {
  readonly sha256: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly sopInstanceUid: string | null;
  readonly seriesInstanceUid: string | null;
  readonly metadata: Record<string, unknown>;
}

export interface ScoringRequest {
  readonly dedupeKey: string;
  readonly modelVersion: string;
  readonly requestId?: string;
  /** Set when the request is refused before any work (async intake of an unreadable image). */
  readonly failure?: { readonly code: string; readonly message: string };
}

export interface RecordedRequest {
  readonly task: ScoringTaskEntity;
  readonly study: ImagingStudyEntity | null;
  /** false when the same image was already submitted for the same model (idempotent resubmission). */
  readonly created: boolean;
}

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

  /** Records study (by StudyInstanceUID when known), image (by sha256) and task (by dedupe key), then enqueues. */
  async recordScoringRequest(input: { study: NewStudy; image?: NewImage; existingImageId?: string; request: ScoringRequest }): Promise<RecordedRequest> {
    const recorded = await this.dataSource.transaction(async (manager): Promise<RecordedRequest> => {
      const existing = await manager.findOneBy(ScoringTaskEntity, { dedupeKey: input.request.dedupeKey });
      if (existing) {
        const study = existing.imagingStudyId ? await manager.findOneBy(ImagingStudyEntity, { id: existing.imagingStudyId }) : null;
        return { task: existing, study, created: false };
      }
      const study = await this.upsertStudy(manager, input.study);
      const image = input.image ? await this.upsertImage(manager, study.id, input.image) : null;
      const failure = input.request.failure ?? null;
      const task = manager.create(ScoringTaskEntity, {
        id: randomUUID(),
        dedupeKey: input.request.dedupeKey,
        status: failure ? 'failed' : 'requested',
        businessStatus: failure ? 'failed' : 'queued',
        failure,
        imagingStudyId: study.id,
        imageId: image?.id ?? input.existingImageId ?? null,
        patientId: study.patientId,
        modelVersion: input.request.modelVersion,
        requestId: input.request.requestId ?? null,
        attempts: 0,
        observationId: null,
        diagnosticReportId: null,
      });
      await manager.insert(ScoringTaskEntity, task);
      if (!failure) await this.queue.enqueueScoring({ taskId: task.id, requestId: input.request.requestId }, manager);
      const saved = await manager.findOneByOrFail(ScoringTaskEntity, { id: task.id });
      return { task: saved, study, created: true };
    });
    if (recorded.created && recorded.task.status === 'requested') this.queue.wake();
    return recorded;
  }

  private async upsertStudy(manager: EntityManager, study: NewStudy): Promise<ImagingStudyEntity> {
    if (study.studyInstanceUid) {
      const known = await manager.findOneBy(ImagingStudyEntity, { studyInstanceUid: study.studyInstanceUid });
      if (known) {
        if (known.patientId !== study.patientId) {
          throw new AppError('RESOURCE.VERSION_CONFLICT', 'StudyInstanceUID is already recorded for another patient');
        }
        return known;
      }
    }
    const known = await manager.findOneBy(ImagingStudyEntity, { id: study.id });
    if (known) return known;
    await manager.insert(ImagingStudyEntity, { ...study });
    return manager.findOneByOrFail(ImagingStudyEntity, { id: study.id });
  }

  private async upsertImage(manager: EntityManager, studyId: string, image: NewImage): Promise<StoredImageEntity> {
    const known = await manager.findOneBy(StoredImageEntity, { sha256: image.sha256 });
    if (known) return known;
    const id = randomUUID();
    await manager.insert(StoredImageEntity, { id, imagingStudyId: studyId, byteSize: image.content.length, ...image } as Partial<StoredImageEntity> as never);
    return manager.findOneByOrFail(StoredImageEntity, { id });
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
  async loadImageContent(imageId: string): Promise<{ content: Buffer; contentType: string } | null> {
    const row = await this.dataSource.manager
      .createQueryBuilder(StoredImageEntity, 'image')
      .addSelect('image.content')
      .where('image.id = :imageId', { imageId })
      .getOne();
    return row ? { content: row.content, contentType: row.contentType } : null;
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

  async markTaskProgress(id: string, status: ScoringTaskStatus, businessStatus: ScoringBusinessStatus, attempts?: number): Promise<void> {
    await this.dataSource.manager.update(ScoringTaskEntity, { id }, { status, businessStatus, ...(attempts !== undefined ? { attempts } : {}), updatedAt: new Date() });
  }

  async failTask(id: string, failure: { code: string; message: string }): Promise<void> {
    await this.dataSource.manager.update(ScoringTaskEntity, { id }, { status: 'failed', businessStatus: 'failed', failure, updatedAt: new Date() });
  }

  /** Stores the result and its FHIR resources and completes the task, atomically; a redo is a no-op. */
  async completeScoring(input: CompletedScoring): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const task = await manager.findOne(ScoringTaskEntity, { where: { id: input.taskId }, lock: { mode: 'pessimistic_write' } });
      if (!task) throw new AppError('RESOURCE.NOT_FOUND', 'Task not found');
      if (task.status === 'completed') return;
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
    });
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
