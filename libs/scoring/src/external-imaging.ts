import type { EhrDirectory } from '@brixia/ehr';
import type { DicomStudyLocator, ImageSource } from '@brixia/imaging';

/** What the EHR/PACS path needs: where references resolve, which PACS may be contacted, how pixels come. */
export interface ExternalImagingContext {
  readonly ehr: EhrDirectory;
  /** WADO-RS base used when the ImagingStudy names no dicom-wado-rs Endpoint. */
  readonly defaultWadoRsUrl?: string;
  /** The PACS allow-list: an Endpoint address outside it is refused at intake. */
  isAllowedPacs(url: string): boolean;
  /** Retrieves the pixels (WADO-RS) for a task that has no stored image. */
  readonly imageSource: ImageSource<DicomStudyLocator>;
}

/** Id of the contained Endpoint in our copy of an external ImagingStudy. */
export const CONTAINED_WADO_RS_ID = 'wado-rs';

/** The DICOMweb locator of our copy of an external ImagingStudy (contained Endpoint + DICOM UIDs). */
export function locatorOf(study: fhir4.ImagingStudy): DicomStudyLocator | undefined {
  const endpoint = (study.contained ?? []).find((resource): resource is fhir4.Endpoint => resource.resourceType === 'Endpoint' && resource.id === CONTAINED_WADO_RS_ID);
  const identifier = study.identifier?.find((id) => id.system === 'urn:dicom:uid' && id.value?.startsWith('urn:oid:'));
  if (!endpoint?.address || !identifier?.value) return undefined;
  return {
    wadoRsBaseUrl: endpoint.address,
    studyInstanceUid: identifier.value.slice('urn:oid:'.length),
    series: (study.series ?? []).map((series) => ({
      seriesInstanceUid: series.uid,
      modality: series.modality?.code,
      instances: (series.instance ?? []).map((instance) => ({ sopInstanceUid: instance.uid, sopClassUid: instance.sopClass?.code })),
    })),
  };
}
