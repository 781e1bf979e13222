import { AppError } from '@brixia/common';
import type { ScoringTaskRecord } from '@brixia/persistence';
import { locatorOf } from './external-imaging';
import type { ScoringContext } from './scoring-context';

/**
 * The bytes to score: the stored upload (handed over by intake when it ran in this process), or for a study resolved from an EHR, the frontal instance
 * retrieved over WADO-RS now (not stored: the PACS stays the system of record, and a redo refetches).
 * PACS outages surface as UPSTREAM.UNAVAILABLE, which the queue retries with backoff.
 */
export async function loadTaskPixels(context: ScoringContext, task: ScoringTaskRecord): Promise<Buffer> {
  if (task.imageId) {
    const handedOver = context.uploadHandoff?.take(task.imageId);
    if (handedOver) return handedOver;
    const image = await context.store.loadImageContent(task.imageId);
    if (!image) throw new AppError('IMAGING.NO_PIXELS', 'The image of this task is missing');
    return image.content;
  }
  const study = task.imagingStudyId ? await context.store.findStudy(task.imagingStudyId) : null;
  if (study?.source !== 'external') throw new AppError('IMAGING.NO_PIXELS', 'No image is held for this study');
  if (!context.external) throw new AppError('IMAGING.NO_ENDPOINT', 'This worker has no PACS configured to retrieve the image from');
  const locator = locatorOf(study.resource);
  if (!locator) throw new AppError('IMAGING.NO_ENDPOINT', 'The ImagingStudy has no WADO-RS endpoint or StudyInstanceUID');
  const started = Date.now();
  const fetched = await context.external.imageSource.fetchImage(locator);
  context.logger.info({ taskId: task.id, imagingStudyId: study.id, bytes: fetched.bytes.length, transferSyntaxUid: fetched.transferSyntaxUid, durationMs: Date.now() - started }, 'image retrieved over WADO-RS');
  return fetched.bytes;
}
