/** Where a study's pixels live on a DICOMweb server, with what the ImagingStudy already says about it. */
export interface DicomStudyLocator {
  /** WADO-RS / QIDO-RS base (the Endpoint address), e.g. http://pacs:8042/dicom-web */
  readonly wadoRsBaseUrl: string;
  readonly studyInstanceUid: string;
  /** Series and instances listed by the ImagingStudy (may be empty: then QIDO-RS finds them). */
  readonly series: ReadonlyArray<{
    readonly seriesInstanceUid: string;
    readonly modality?: string;
    readonly instances: ReadonlyArray<{ readonly sopInstanceUid: string; readonly sopClassUid?: string }>;
  }>;
}

/** One retrieved image, as a DICOM Part 10 object. */
export interface FetchedImage {
  readonly bytes: Buffer;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  /** The transfer syntax the server sent (from the part's Content-Type), when it said. */
  readonly transferSyntaxUid?: string;
}

/**
 * Port: gets the image to score for a study. Adapters: WadoRsImageSource (DICOMweb).
 * Throws AppError: IMAGING.STUDY_NOT_FOUND, IMAGING.NO_PIXELS (no frontal CR/DX instance),
 * UPSTREAM.UNAVAILABLE (retryable), UPSTREAM.UNAUTHORIZED, UPSTREAM.TOO_LARGE, UPSTREAM.INVALID_RESPONSE.
 */
export interface ImageSource<L = DicomStudyLocator> {
  fetchImage(locator: L): Promise<FetchedImage>;
}

/** The HTTP the adapter needs (given by the app: allow-listed, bounded in time and size, no redirects). */
export type DicomWebHttp = (url: string, init?: { readonly headers?: Readonly<Record<string, string>> }) => Promise<{ readonly status: number; readonly headers: Headers; readonly body: Buffer }>;
