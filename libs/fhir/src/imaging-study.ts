import type * as fhir4 from 'fhir/r4';
import { AppError } from '@brixia/common';
import { dicomUidIdentifier, normalizeDicomUid } from './config';
import { assertDateTime, assertFhirId, referenceTo } from './primitives';

export interface ImagingStudyInput {
  readonly id: string;
  readonly patientId: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly sopClassUid?: string;
  /** DICOM Modality (0008,0060), e.g. CR or DX. */
  readonly modality?: string;
  /** Acquisition (or study) date-time. */
  readonly started?: string;
  /** DICOM ViewPosition (0018,5101), e.g. AP, PA, LL. */
  readonly viewPosition?: string;
  readonly numberOfInstances?: number;
  /** Endpoint (dicom-wado-rs) from which the pixels can be retrieved. */
  readonly endpointId?: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The ImagingStudy of one radiograph: identifier urn:dicom:uid = urn:oid:<StudyInstanceUID>
 * (DICOM SR → FHIR IG), one series with its modality and one instance with its SOP class when
 * those UIDs are known (a PNG/JPEG upload has none). R4 ImagingStudy has no view element, so
 * ViewPosition goes into series.description ("View position AP").
 * Throws AppError IMAGING.UNREADABLE when DICOM Type 1 attributes FHIR requires are missing
 * (Modality for a series, SOP Class UID for an instance).
 */
export function buildImagingStudy(input: ImagingStudyInput): fhir4.ImagingStudy {
  const modality = input.modality?.trim() ? { system: DCM, code: input.modality.trim() } : undefined;
  let series: fhir4.ImagingStudySeries | undefined;
  if (input.seriesInstanceUid !== undefined) {
    if (!modality) throw new AppError('IMAGING.UNREADABLE', 'The DICOM header has a series but no Modality (0008,0060)');
    series = { uid: normalizeDicomUid(input.seriesInstanceUid), modality };
    if (input.viewPosition?.trim()) series.description = `View position ${input.viewPosition.trim()}`;
    if (input.sopInstanceUid !== undefined) {
      if (!input.sopClassUid?.trim()) throw new AppError('IMAGING.UNREADABLE', 'The DICOM header has no SOP Class UID (0008,0016)');
      series.numberOfInstances = 1;
      series.instance = [{ uid: normalizeDicomUid(input.sopInstanceUid), sopClass: { system: 'urn:ietf:rfc:3986', code: `urn:oid:${normalizeDicomUid(input.sopClassUid)}` } }];
    }
  } else if (input.sopInstanceUid !== undefined) {
    throw new AppError('IMAGING.UNREADABLE', 'The DICOM header has a SOP Instance UID but no Series Instance UID (0020,000E)');
  }
  if (input.numberOfInstances !== undefined && (!Number.isInteger(input.numberOfInstances) || input.numberOfInstances < 0)) {
    throw new AppError('INTERNAL', 'numberOfInstances must be a non-negative integer');
  }
  return {
    resourceType: 'ImagingStudy',
    id: assertFhirId(input.id, 'ImagingStudy id'),
    // Without a StudyInstanceUID (PNG/JPEG uploads) the study is still identified, by its UUID as a URI.
    ...(input.studyInstanceUid !== undefined
      ? { identifier: [dicomUidIdentifier(input.studyInstanceUid)] }
      : UUID.test(input.id)
        ? { identifier: [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${input.id}` }] }
        : {}),
    status: 'available',
    ...(modality ? { modality: [{ ...modality }] } : {}),
    subject: referenceTo('Patient', input.patientId),
    ...(input.started !== undefined ? { started: assertDateTime(input.started, 'started') } : {}),
    ...(input.endpointId !== undefined ? { endpoint: [referenceTo('Endpoint', input.endpointId)] } : {}),
    ...(series ? { numberOfSeries: 1 } : {}),
    ...(input.numberOfInstances !== undefined ? { numberOfInstances: input.numberOfInstances } : {}),
    ...(series ? { series: [series] } : {}),
  };
}
