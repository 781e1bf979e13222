/** 8-bit grey, display polarity (higher = brighter, as MONOCHROME2), row-major. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** Container formats the decoder recognises by their leading bytes. */
export type ImageFormat = 'dicom' | 'png' | 'jpeg';

/** What the service needs to know about a radiograph besides its pixels. */
export interface RadiographMetadata {
  readonly format: ImageFormat;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly sopClassUid?: string;
  readonly patientId?: string;
  /** IssuerOfPatientID (0010,0021): who assigned PatientID. */
  readonly issuerOfPatientId?: string;
  readonly modality?: string;
  readonly viewPosition?: string;
  readonly bodyPartExamined?: string;
  /** ISO 8601; from AcquisitionDateTime, else AcquisitionDate+Time, else ContentDate+Time, else StudyDate+Time;
   *  offset from TimezoneOffsetFromUTC (0008,0201) when present, else options.defaultTimezoneOffset (default 'Z'). */
  readonly acquisitionDateTime?: string;
  readonly transferSyntaxUid?: string;
  readonly photometricInterpretation?: string;
  readonly rows: number;
  readonly columns: number;
  readonly bitsStored?: number;
  /** Image Pixel module (PS3.3 C.7.6.3), DICOM only: checked by the input gate (input-gate/). */
  readonly samplesPerPixel?: number;
  readonly bitsAllocated?: number;
  readonly highBit?: number;
  readonly pixelRepresentation?: number;
}

/** A radiograph mapped to display grey levels, with its metadata. */
export interface DecodedRadiograph {
  readonly image: GreyImage;
  readonly metadata: RadiographMetadata;
}

export interface DecodeOptions {
  /** Offset used when the DICOM object carries none: 'Z', '+01:00' or '+0100'. Default 'Z'. */
  readonly defaultTimezoneOffset?: string;
}
