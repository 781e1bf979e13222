import { createHash } from 'node:crypto';
import { AppError } from '@brixia/common';
import { resolveExternalImagingStudy, WADO_RS_CONNECTION_TYPE } from '@brixia/ehr';
import type { RecordedRequest } from '@brixia/persistence';
import { CONTAINED_WADO_RS_ID } from './external-imaging';
import type { ScoringContext } from './scoring-context';
import { dedupeKeyOf, externalStudyKeyOf } from './result-identity';

const CONNECTION_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type';

/**
 * `$brixia-score` on an ImagingStudy held by an EHR: resolves the study, its Patient and its WADO-RS
 * Endpoint (allow-listed servers only), records our copy (meta.source = the study's URL on the EHR,
 * the Endpoint contained) and a Task without pixels; the worker retrieves them over WADO-RS.
 * Refusals are immediate: not an ImagingStudy, no StudyInstanceUID, no endpoint, a PACS outside the
 * allow-list, EHR answers 404/401.
 */
export async function scoreExternalStudy(context: ScoringContext, reference: string, requestId?: string): Promise<RecordedRequest> {
  const external = context.external;
  if (!external?.ehr.isConfigured) throw new AppError('UPSTREAM.NOT_ALLOWED', 'No EHR is configured: only studies held by this service can be scored');
  const resolved = await resolveExternalImagingStudy(external.ehr, reference);
  const studyInstanceUid = resolved.study.identifier?.find((id) => id.system === 'urn:dicom:uid' && id.value?.startsWith('urn:oid:'))?.value?.slice('urn:oid:'.length);
  if (!studyInstanceUid) throw new AppError('REQUEST.INVALID', 'The ImagingStudy carries no StudyInstanceUID (identifier system urn:dicom:uid)');
  const wadoRsUrl = resolved.endpoint?.address ?? external.defaultWadoRsUrl;
  if (!wadoRsUrl) throw new AppError('IMAGING.NO_ENDPOINT', 'The ImagingStudy names no dicom-wado-rs Endpoint and no default PACS is configured');
  if (!external.isAllowedPacs(wadoRsUrl)) throw new AppError('UPSTREAM.NOT_ALLOWED', "The ImagingStudy's WADO-RS endpoint is not a configured PACS");
  const patientId = resolved.patient.id;
  if (!patientId) throw new AppError('IMAGING.MISSING_PATIENT', 'The Patient of the ImagingStudy has no id');

  const urlHash = createHash('sha256').update(resolved.studyUrl).digest('hex');
  const studyId = `ext-${urlHash.slice(0, 32)}`;
  const endpoint: fhir4.Endpoint = {
    resourceType: 'Endpoint',
    id: CONTAINED_WADO_RS_ID,
    status: 'active',
    connectionType: { system: CONNECTION_TYPE_SYSTEM, code: WADO_RS_CONNECTION_TYPE },
    payloadType: [{ text: 'DICOM' }],
    address: wadoRsUrl,
  };
  // The Patient stays the EHR's: referenced by its absolute URL there (so it resolves) plus its business
  // identifier (so a reader without access to that server still knows who it is); we keep no local copy.
  const identifier = resolved.patient.identifier?.find((candidate) => candidate.system && candidate.value);
  const subject: fhir4.Reference = {
    reference: `${resolved.server.baseUrl}/Patient/${patientId}`,
    type: 'Patient',
    ...(identifier ? { identifier: { system: identifier.system, value: identifier.value } } : {}),
  };
  const copy: fhir4.ImagingStudy = {
    ...resolved.study,
    id: studyId,
    // meta.source: "a uri that identifies the source system of the resource" (R4 Meta) — where results go back.
    meta: { source: resolved.studyUrl },
    subject,
    contained: [...(resolved.study.contained ?? []).filter((resource) => resource.resourceType !== 'Endpoint'), endpoint],
    endpoint: [{ reference: `#${CONTAINED_WADO_RS_ID}` }],
  };
  const recorded = await context.store.recordScoringRequest({
    study: { id: studyId, patientId, studyInstanceUid, source: 'external', resource: copy },
    request: { dedupeKey: dedupeKeyOf(patientId, externalStudyKeyOf(urlHash), context.model.identity.version), modelVersion: context.model.identity.version, requestId },
  });
  context.logger.info({ requestId, taskId: recorded.task.id, imagingStudyId: recorded.study?.id, created: recorded.created }, 'external study recorded');
  return recorded;
}

/** Absolute references always go to an EHR; relative ones only when this service does not hold the study. */
export function isAbsoluteReference(reference: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(reference);
}
