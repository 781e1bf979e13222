import { AppError, isAppError } from '@brixia/common';
import type { EhrDirectory, LocatedReference } from './ehr-directory';
import type { FhirServerClient } from './fhir-server-client';

/** endpoint-connection-type code for DICOMweb WADO-RS (http://terminology.hl7.org/CodeSystem/endpoint-connection-type). */
export const WADO_RS_CONNECTION_TYPE = 'dicom-wado-rs';

/** An ImagingStudy read from an EHR, with its Patient and its WADO-RS Endpoint (when it names one). */
export interface ExternalImagingStudy {
  readonly server: FhirServerClient;
  /** Absolute URL of the study on the EHR (kept as meta.source of our copy). */
  readonly studyUrl: string;
  readonly study: fhir4.ImagingStudy;
  readonly patient: fhir4.Patient;
  readonly endpoint?: fhir4.Endpoint;
}

/**
 * Reads the ImagingStudy a reference points at, then its subject Patient and its Endpoint
 * (`ImagingStudy.endpoint`, else the first series' endpoint; contained `#id` references are resolved
 * from the study). Only endpoints of connectionType `dicom-wado-rs` count (docs/fhir-profile.md "Getting pixels").
 * Throws IMAGING.STUDY_NOT_FOUND (404), REQUEST.INVALID (not an ImagingStudy, no Patient subject),
 * IMAGING.MISSING_PATIENT, UPSTREAM.* (allow-list, credentials, outage, size).
 */
export async function resolveExternalImagingStudy(directory: EhrDirectory, reference: string): Promise<ExternalImagingStudy> {
  const located = directory.locate(reference.replace(/\/_history\/[^/]+$/, ''));
  if (!/^ImagingStudy\/[A-Za-z0-9\-.]{1,64}$/.test(located.relativePath)) {
    throw new AppError('REQUEST.INVALID', 'The reference must point to an ImagingStudy (…/ImagingStudy/<id>)', { expression: ['Parameters.parameter[0].valueReference'] });
  }
  const study = await readOr(located, 'IMAGING.STUDY_NOT_FOUND', 'The EHR holds no such ImagingStudy');
  if (study.resourceType !== 'ImagingStudy') {
    throw new AppError('REQUEST.INVALID', `The reference resolves to a ${String(study.resourceType)}, not an ImagingStudy`, { expression: ['Parameters.parameter[0].valueReference'] });
  }
  const imagingStudy = study as fhir4.ImagingStudy;
  const subject = imagingStudy.subject?.reference;
  if (!subject || !/(^|\/)Patient\/[A-Za-z0-9\-.]{1,64}$/.test(subject)) {
    throw new AppError('IMAGING.MISSING_PATIENT', 'The ImagingStudy does not reference a Patient subject');
  }
  const patient = (await readOr(directory.locateFrom(located.server, subject), 'IMAGING.MISSING_PATIENT', 'The EHR holds no Patient for this ImagingStudy')) as fhir4.Patient;
  if (patient.resourceType !== 'Patient') throw new AppError('IMAGING.MISSING_PATIENT', 'The ImagingStudy subject is not a Patient');
  const endpoint = await resolveEndpoint(directory, located.server, imagingStudy);
  return { server: located.server, studyUrl: located.absoluteUrl, study: imagingStudy, patient, endpoint };
}

async function resolveEndpoint(directory: EhrDirectory, server: FhirServerClient, study: fhir4.ImagingStudy): Promise<fhir4.Endpoint | undefined> {
  const references = [...(study.endpoint ?? []), ...(study.series ?? []).flatMap((series) => series.endpoint ?? [])]
    .map((ref) => ref.reference)
    .filter((ref): ref is string => typeof ref === 'string');
  for (const reference of references) {
    const endpoint: fhir4.FhirResource | undefined = reference.startsWith('#')
      ? (study.contained ?? []).find((resource): resource is fhir4.Endpoint => resource.resourceType === 'Endpoint' && `#${resource.id}` === reference)
      : await readOr(directory.locateFrom(server, reference), 'IMAGING.NO_ENDPOINT', 'The Endpoint of the ImagingStudy cannot be read');
    if (endpoint?.resourceType === 'Endpoint' && isWadoRs(endpoint) && endpoint.address) return endpoint;
  }
  return undefined;
}

function isWadoRs(endpoint: fhir4.Endpoint): boolean {
  return endpoint.connectionType?.code === WADO_RS_CONNECTION_TYPE && (endpoint.status === undefined || endpoint.status === 'active');
}

async function readOr(located: LocatedReference, notFound: 'IMAGING.STUDY_NOT_FOUND' | 'IMAGING.MISSING_PATIENT' | 'IMAGING.NO_ENDPOINT', message: string): Promise<fhir4.FhirResource> {
  try {
    return await located.server.readPath(located.relativePath);
  } catch (error) {
    if (isAppError(error) && error.code === 'RESOURCE.NOT_FOUND') throw new AppError(notFound, message, { cause: error });
    throw error;
  }
}
