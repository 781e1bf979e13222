import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { AppError } from '@brixia/common';
import { ImagingStudyEntity, ScoringTaskEntity, StoredImageEntity } from './entities';
import type { JobQueue } from './job-queue.adapter';
import { insertAuditEvent, type NewAuditEvent } from './audit-store.repository';
import { toImagingStudyRecord, toScoringTaskRecord } from './entity-records.mapper';
import type { ImagingStudyRecord, ScoringTaskRecord } from './records';

export interface NewStudy {
  readonly id: string;
  readonly patientId: string;
  readonly studyInstanceUid: string | null;
  readonly source: ImagingStudyRecord['source'];
  readonly resource: fhir4.ImagingStudy;
}

export interface NewImage {
  readonly sha256: string;
  /** The image's identity (`sop:<SOPInstanceUID>` or `sha256:<hex>`), held for one patient. */
  readonly imageKey: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly sopInstanceUid: string | null;
  readonly seriesInstanceUid: string | null;
  readonly metadata: Record<string, unknown>;
}

export interface ScoringRequest {
  /** `<patient>|<image key>|<model version>` (see the scoring lib's result identity). */
  readonly dedupeKey: string;
  readonly modelVersion: string;
  readonly requestId?: string;
  /** Set when the request is refused before any work (async intake of an unreadable image). */
  readonly failure?: { readonly code: string; readonly message: string };
}

export interface RecordedRequest {
  readonly task: ScoringTaskRecord;
  readonly study: ImagingStudyRecord | null;
  /** false when the same image was already submitted for the same patient and model (idempotent resubmission). */
  readonly created: boolean;
}

export interface ScoringRequestInput {
  readonly study: NewStudy;
  /** The uploaded image, or `existingImageId` for one already held (or neither: pixels come from a PACS). */
  readonly image?: NewImage;
  readonly existingImageId?: string;
  readonly request: ScoringRequest;
  /** The request's AuditEvent, built from what was recorded and written in the same transaction. */
  readonly audit?: (recorded: RecordedRequest) => NewAuditEvent;
}

/** Thrown inside the recording transaction to roll it back when a concurrent twin holds the dedupe key. */
class RecordedConcurrently extends Error {}

/**
 * Records study, image and Task, and enqueues the job, in one transaction. The database decides identity,
 * never a read-then-write: the study by StudyInstanceUID, the image by its key (unique, so it belongs to
 * one patient), the Task by its dedupe key (unique among Tasks that did not fail). A study or image held
 * for another patient → IMAGING.PATIENT_CONFLICT and nothing is recorded; the same request again (or a
 * concurrent twin) → the Task already recorded (created: false).
 */
export async function recordScoringRequest(
dataSource: DataSource,
queue: Pick<JobQueue, 'enqueueScoring' | 'wake'>,
input: ScoringRequestInput,
): Promise<RecordedRequest> {
  const known = await findRecorded(dataSource.manager, input.request.dedupeKey);
  if (known) return audited(dataSource, input, known);
  let recorded: RecordedRequest;
  try {
    recorded = await dataSource.transaction(async (manager): Promise<RecordedRequest> => {
      const study = await claimStudy(manager, input.study);
      const imageId = input.image ? await claimImage(manager, study, input.image) : (input.existingImageId ?? null);
      const failure = input.request.failure ?? null;
      const id = randomUUID();
      await manager
        .createQueryBuilder()
        .insert()
        .into(ScoringTaskEntity)
        .values({
          id,
          dedupeKey: input.request.dedupeKey,
          status: failure ? 'failed' : 'requested',
          businessStatus: failure ? 'failed' : 'queued',
          failure,
          imagingStudyId: study.id,
          imageId,
          patientId: study.patientId,
          modelVersion: input.request.modelVersion,
          requestId: input.request.requestId ?? null,
          attempts: 0,
          observationId: null,
          diagnosticReportId: null,
          skipped: null,
        })
        .orIgnore()
        .execute();
      const task = await manager.findOneBy(ScoringTaskEntity, { id });
      // A concurrent twin holds the dedupe key: roll back what this transaction wrote (its study) and answer its Task.
      if (!task) throw new RecordedConcurrently();
      if (!failure) await queue.enqueueScoring({ taskId: task.id, requestId: input.request.requestId }, manager);
      const created: RecordedRequest = { task: toScoringTaskRecord(task), study: toImagingStudyRecord(study), created: true };
      if (input.audit) await insertAuditEvent(manager, input.audit(created));
      return created;
    });
  } catch (error) {
    if (!(error instanceof RecordedConcurrently)) throw error;
    const twin = await findRecorded(dataSource.manager, input.request.dedupeKey, { includeFailed: true });
    if (!twin) throw new AppError('INTERNAL', 'A concurrently recorded scoring request cannot be read back', { cause: error });
    return audited(dataSource, input, twin);
  }
  if (recorded.task.status === 'requested') queue.wake();
  return recorded;
}

/** An answer from what was recorded before (no write of ours): its AuditEvent is the only row written. */
async function audited(dataSource: DataSource, input: ScoringRequestInput, recorded: RecordedRequest): Promise<RecordedRequest> {
  if (input.audit) await insertAuditEvent(dataSource.manager, input.audit(recorded));
  return recorded;
}

/** The Task holding a dedupe key (the live one; with includeFailed, else the newest attempt). */
async function findRecorded(manager: EntityManager, dedupeKey: string, options: { includeFailed?: boolean } = {}): Promise<RecordedRequest | null> {
  const query = manager.createQueryBuilder(ScoringTaskEntity, 'task').where('task.dedupe_key = :dedupeKey', { dedupeKey });
  if (!options.includeFailed) query.andWhere("task.status <> 'failed'");
  const task = await query.orderBy("task.status = 'failed'", 'ASC').addOrderBy('task.authored_at', 'DESC').getOne();
  if (!task) return null;
  const study = task.imagingStudyId ? await manager.findOneBy(ImagingStudyEntity, { id: task.imagingStudyId }) : null;
  return { task: toScoringTaskRecord(task), study: study ? toImagingStudyRecord(study) : null, created: false };
}

/** The study by StudyInstanceUID (else by id), inserted unless held; held for another patient → conflict. */
async function claimStudy(manager: EntityManager, study: NewStudy): Promise<ImagingStudyEntity> {
  await manager.createQueryBuilder().insert().into(ImagingStudyEntity).values({ ...study }).orIgnore().execute();
  const held = study.studyInstanceUid
    ? await manager.findOneBy(ImagingStudyEntity, { studyInstanceUid: study.studyInstanceUid })
    : await manager.findOneBy(ImagingStudyEntity, { id: study.id });
  if (!held) throw new AppError('INTERNAL', 'The ImagingStudy was neither inserted nor found');
  if (held.patientId !== study.patientId) {
    throw new AppError('IMAGING.PATIENT_CONFLICT', 'This ImagingStudy (StudyInstanceUID) is already recorded for another patient');
  }
  return held;
}

/**
 * The image by its key and its bytes, inserted unless held (unique indexes on both arbitrate concurrent
 * submissions: the loser's insert waits for the winner's commit, then finds its row); held for another
 * patient → conflict.
 */
async function claimImage(manager: EntityManager, study: ImagingStudyEntity, image: NewImage): Promise<string> {
  const id = randomUUID();
  await manager
    .createQueryBuilder()
    .insert()
    .into(StoredImageEntity)
    // jsonb metadata: TypeORM's deep-partial type cannot express an open record.
    .values({ id, imagingStudyId: study.id, patientId: study.patientId, byteSize: image.content.length, ...image, metadata: image.metadata as never })
    .orIgnore()
    .execute();
  const held = await manager
    .createQueryBuilder(StoredImageEntity, 'image')
    .where('image.image_key = :imageKey OR image.sha256 = :sha256', { imageKey: image.imageKey, sha256: image.sha256 })
    .getMany();
  if (held.length === 0) throw new AppError('INTERNAL', 'The image was neither inserted nor found');
  if (held.some((row) => row.patientId !== study.patientId)) {
    throw new AppError('IMAGING.PATIENT_CONFLICT', 'This image is already recorded for another patient');
  }
  return (held.find((row) => row.imageKey === image.imageKey) ?? held[0]).id;
}
