import { AppError } from '@brixia/common';
import { readRadiographMetadata } from '../decode-radiograph';
import { detectImageFormat } from '../image-format';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../dicom/transfer-syntax';
import type { DicomStudyLocator, DicomWebHttp, FetchedImage, ImageSource } from './image-source.port';
import { mediaTypeParameter, parseMultipartRelated } from './multipart-related';
import { selectFrontalInstance, summarizeDicomJson, type InstanceSummary } from './select-instance';

const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
const DICOM_JSON = 'application/dicom+json';

function wanted(transferSyntax: string): string {
  return `multipart/related; type="application/dicom"; transfer-syntax=${transferSyntax}`;
}

/**
 * ImageSource over DICOMweb (PS3.18). Chooses the instance (the ImagingStudy's series when it lists
 * them, their metadata for Modality and ViewPosition; QIDO-RS over the study when it lists none),
 * then retrieves it with WADO-RS as `multipart/related; type="application/dicom"`.
 * Transfer syntax negotiation (PS3.18 §8.7.3.5.2): first `transfer-syntax=*` (as stored, no lossy
 * transcoding by the server); if the server sends a syntax we cannot decode, ask again for Explicit
 * VR Little Endian, which every origin server must be able to produce.
 */
export class WadoRsImageSource implements ImageSource<DicomStudyLocator> {
  constructor(private readonly http: DicomWebHttp) {}

  async fetchImage(locator: DicomStudyLocator): Promise<FetchedImage> {
    const base = locator.wadoRsBaseUrl.replace(/\/+$/, '');
    const study = `${base}/studies/${encodeURIComponent(locator.studyInstanceUid)}`;
    const chosen = selectFrontalInstance(await this.candidates(study, locator));
    if (!chosen) throw new AppError('IMAGING.NO_PIXELS', 'The study holds no frontal CR/DX radiograph');
    const url = `${study}/series/${encodeURIComponent(chosen.seriesInstanceUid)}/instances/${encodeURIComponent(chosen.sopInstanceUid)}`;
    let retrieved = await this.retrieve(url, '*');
    // Servers may leave transfer-syntax off the part's Content-Type; the Part 10 meta header says it.
    retrieved.transferSyntaxUid ??= readRadiographMetadata(retrieved.bytes).transferSyntaxUid;
    if (retrieved.transferSyntaxUid && !SUPPORTED_TRANSFER_SYNTAXES.includes(retrieved.transferSyntaxUid)) {
      retrieved = await this.retrieve(url, EXPLICIT_VR_LE);
    }
    return { ...retrieved, studyInstanceUid: locator.studyInstanceUid, seriesInstanceUid: chosen.seriesInstanceUid, sopInstanceUid: chosen.sopInstanceUid };
  }

  private async candidates(study: string, locator: DicomStudyLocator): Promise<InstanceSummary[]> {
    const series = locator.series.filter((s) => !s.modality || ['CR', 'DX'].includes(s.modality.toUpperCase()));
    if (series.length === 0) {
      // QIDO-RS search for the study's instances, asking for Modality and ViewPosition (PS3.18 §10.6).
      return summarizeDicomJson(await this.json(`${study}/instances?includefield=00080060&includefield=00185101`));
    }
    const found: InstanceSummary[] = [];
    for (const entry of series) {
      const metadata = summarizeDicomJson(await this.json(`${study}/series/${encodeURIComponent(entry.seriesInstanceUid)}/metadata`));
      const listed = new Set(entry.instances.map((instance) => instance.sopInstanceUid));
      found.push(...metadata.filter((instance) => listed.size === 0 || listed.has(instance.sopInstanceUid)).map((instance) => ({ ...instance, modality: instance.modality ?? entry.modality })));
    }
    return found;
  }

  private async json(url: string): Promise<unknown> {
    const response = await this.http(url, { headers: { accept: DICOM_JSON } });
    if (response.status === 204) return [];
    checkStatus(response.status);
    try {
      return JSON.parse(response.body.toString('utf8'));
    } catch (error) {
      throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The PACS answered a DICOMweb search with something that is not DICOM JSON', { cause: error });
    }
  }

  private async retrieve(url: string, transferSyntax: string): Promise<{ bytes: Buffer; transferSyntaxUid?: string }> {
    const response = await this.http(url, { headers: { accept: wanted(transferSyntax) } });
    checkStatus(response.status);
    const contentType = response.headers.get('content-type') ?? '';
    let bytes: Buffer;
    let partType = contentType;
    if (/^multipart\/related/i.test(contentType)) {
      const parts = parseMultipartRelated(response.body, contentType);
      if (parts.length === 0) throw new AppError('IMAGING.NO_PIXELS', 'The PACS returned no instance');
      bytes = parts[0].body;
      partType = parts[0].headers['content-type'] ?? '';
    } else if (/^application\/dicom\b/i.test(contentType)) {
      bytes = response.body;
    } else {
      throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The PACS answered WADO-RS with something that is not DICOM');
    }
    if (detectImageFormat(bytes) !== 'dicom') throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The PACS answered WADO-RS with something that is not DICOM');
    return { bytes: Buffer.from(bytes), transferSyntaxUid: mediaTypeParameter(partType, 'transfer-syntax') };
  }
}

function checkStatus(status: number): void {
  if (status >= 200 && status < 300) return;
  const details = { upstreamStatus: status };
  if (status === 404) throw new AppError('IMAGING.STUDY_NOT_FOUND', 'The PACS does not hold this study', { details });
  if (status === 401 || status === 403) throw new AppError('UPSTREAM.UNAUTHORIZED', `The PACS refused this service's credentials (HTTP ${status})`, { details });
  if (status === 408 || status === 429 || status >= 500) throw new AppError('UPSTREAM.UNAVAILABLE', `The PACS is unavailable (HTTP ${status})`, { details });
  throw new AppError('UPSTREAM.INVALID_RESPONSE', `The PACS refused the request (HTTP ${status})`, { details });
}
