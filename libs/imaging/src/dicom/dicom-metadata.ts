import type { RadiographMetadata } from '../radiograph.types';
import { isoDate, isoDateTimeParts, isoOffset, isoTime, joinIsoDateTime, type IsoDateTimeParts } from './dicom-datetime';
import { type ParsedDicom, type DataSet, stringValue, uint16Value } from './dicom-dataset';

const TAGS = {
  sopClassUid: 'x00080016',
  sopInstanceUid: 'x00080018',
  studyDate: 'x00080020',
  acquisitionDate: 'x00080022',
  contentDate: 'x00080023',
  acquisitionDateTime: 'x0008002a',
  studyTime: 'x00080030',
  acquisitionTime: 'x00080032',
  contentTime: 'x00080033',
  modality: 'x00080060',
  timezoneOffsetFromUtc: 'x00080201',
  patientId: 'x00100020',
  issuerOfPatientId: 'x00100021',
  bodyPartExamined: 'x00180015',
  viewPosition: 'x00185101',
  studyInstanceUid: 'x0020000d',
  seriesInstanceUid: 'x0020000e',
  photometricInterpretation: 'x00280004',
  rows: 'x00280010',
  columns: 'x00280011',
  samplesPerPixel: 'x00280002',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
} as const;

function dateAndTime(dataSet: DataSet, dateTag: string, timeTag: string): IsoDateTimeParts | undefined {
  const da = stringValue(dataSet, dateTag);
  const date = da === undefined ? undefined : isoDate(da);
  if (date === undefined) return undefined;
  const tm = stringValue(dataSet, timeTag);
  const time = tm === undefined ? undefined : isoTime(tm);
  return { date, time };
}

/**
 * The clinical time of the image, never the time it was processed (docs/fhir-profile.md: Observation `effectiveDateTime`).
 * Sources in order: AcquisitionDateTime, AcquisitionDate+Time, ContentDate+Time, StudyDate+Time; the first
 * whose date parses wins. Offset: the DT value's own suffix, else TimezoneOffsetFromUTC, else the default.
 */
export function acquisitionDateTime(dataSet: DataSet, defaultOffset: string): string | undefined {
  const dt = stringValue(dataSet, TAGS.acquisitionDateTime);
  const parts =
    (dt === undefined ? undefined : isoDateTimeParts(dt)) ??
    dateAndTime(dataSet, TAGS.acquisitionDate, TAGS.acquisitionTime) ??
    dateAndTime(dataSet, TAGS.contentDate, TAGS.contentTime) ??
    dateAndTime(dataSet, TAGS.studyDate, TAGS.studyTime);
  if (parts === undefined) return undefined;
  const declared = stringValue(dataSet, TAGS.timezoneOffsetFromUtc);
  const declaredOffset = declared === undefined ? undefined : isoOffset(declared);
  return joinIsoDateTime(parts, declaredOffset ?? defaultOffset);
}

/** Identifying and descriptive attributes; cheap: reads nothing beyond the parsed header. */
export function dicomMetadata(parsed: ParsedDicom, defaultOffset: string): RadiographMetadata {
  const { dataSet, transferSyntaxUid } = parsed;
  const text = (tag: string): string | undefined => stringValue(dataSet, tag);
  return {
    format: 'dicom',
    studyInstanceUid: text(TAGS.studyInstanceUid),
    seriesInstanceUid: text(TAGS.seriesInstanceUid),
    sopInstanceUid: text(TAGS.sopInstanceUid),
    sopClassUid: text(TAGS.sopClassUid),
    patientId: text(TAGS.patientId),
    issuerOfPatientId: text(TAGS.issuerOfPatientId),
    modality: text(TAGS.modality),
    viewPosition: text(TAGS.viewPosition),
    bodyPartExamined: text(TAGS.bodyPartExamined),
    acquisitionDateTime: acquisitionDateTime(dataSet, defaultOffset),
    transferSyntaxUid,
    photometricInterpretation: text(TAGS.photometricInterpretation),
    rows: uint16Value(dataSet, TAGS.rows) ?? 0,
    columns: uint16Value(dataSet, TAGS.columns) ?? 0,
    bitsStored: uint16Value(dataSet, TAGS.bitsStored),
    samplesPerPixel: uint16Value(dataSet, TAGS.samplesPerPixel),
    bitsAllocated: uint16Value(dataSet, TAGS.bitsAllocated),
    highBit: uint16Value(dataSet, TAGS.highBit),
    pixelRepresentation: uint16Value(dataSet, TAGS.pixelRepresentation),
  };
}
