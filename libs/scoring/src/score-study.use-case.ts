import { AppError } from '@brixia/common';
import { FHIR_ID_PATTERN, type BrixiaScoreRequest } from '@brixia/fhir';
import type { NewAuditEvent, RecordedRequest } from '@brixia/persistence';
import type { ScoringContext } from './scoring-context';
import { isAbsoluteReference, scoreExternalStudy } from './score-external-study.use-case';
import { dedupeKeyOf, imageKeyOf } from './result-identity';

/**
 * `$brixia-score` on an ImagingStudy held by this service (by id, by reference, or inline with a
 * StudyInstanceUID this service knows). The pixels must already be here (uploaded); retrieval from a
 * PACS over DICOMweb is the EHR-integration path.
 */
export async function scoreStudy(
  context: ScoringContext,
  input: { request: BrixiaScoreRequest } | { studyId: string },
  requestId?: string,
  /** The request's AuditEvent, written with the Task (studies held here; EHR references are audited on response). */
  audit?: (recorded: RecordedRequest) => NewAuditEvent,
): Promise<RecordedRequest> {
  // EHR references: absolute ones, and relative ones this service does not hold.
  if ('request' in input && input.request.kind === 'reference' && isAbsoluteReference(input.request.reference)) {
    return scoreExternalStudy(context, input.request.reference, requestId);
  }
  const study = 'studyId' in input
    ? FHIR_ID_PATTERN.test(input.studyId) ? await context.store.findStudy(input.studyId) : null
    : await resolveStudy(context, input.request);
  if (!study && 'request' in input && input.request.kind === 'reference' && context.external?.ehr.isConfigured) {
    return scoreExternalStudy(context, input.request.reference, requestId);
  }
  if (!study) {
    throw new AppError('IMAGING.STUDY_NOT_FOUND', 'The ImagingStudy is not known to this service');
  }
  const sopInstanceUids = (study.resource.series ?? []).flatMap((series) => (series.instance ?? []).map((instance) => instance.uid));
  const image = await context.store.findImageForStudy(study.id, sopInstanceUids);
  if (!image) {
    throw new AppError('IMAGING.NO_PIXELS', 'No image of this ImagingStudy is held by this service; upload it first');
  }
  return context.store.recordScoringRequest({
    study: { id: study.id, patientId: study.patientId, studyInstanceUid: study.studyInstanceUid, source: study.source, resource: study.resource },
    existingImageId: image.id,
    request: { dedupeKey: dedupeKeyOf(study.patientId, imageKeyOf(image), context.model.identity.version), modelVersion: context.model.identity.version, requestId },
    audit,
  });
}

async function resolveStudy(context: ScoringContext, request: BrixiaScoreRequest): ReturnType<ScoringContext['store']['findStudy']> {
  if (request.kind === 'reference') {
    const match = /^(?:ImagingStudy\/)([A-Za-z0-9\-.]{1,64})$/.exec(request.reference);
    if (!match) {
      throw new AppError('REQUEST.INVALID', 'Only relative references ImagingStudy/<id> to studies held by this service are supported', {
        expression: ['Parameters.parameter[0].valueReference'],
      });
    }
    return context.store.findStudy(match[1]);
  }
  const uid = studyInstanceUidOf(request.imagingStudy);
  if (request.imagingStudy.id) {
    const byId = await context.store.findStudy(request.imagingStudy.id);
    if (byId) return byId;
  }
  if (!uid) return null;
  return context.store.findStudyByUid(uid) ?? null;
}

/** ImagingStudy.identifier with system urn:dicom:uid holds `urn:oid:<StudyInstanceUID>` (DICOM SR → FHIR IG). */
export function studyInstanceUidOf(study: fhir4.ImagingStudy): string | undefined {
  const identifier = study.identifier?.find((id) => id.system === 'urn:dicom:uid' && id.value?.startsWith('urn:oid:'));
  return identifier?.value?.slice('urn:oid:'.length);
}

