export type { DicomStudyLocator, DicomWebHttp, FetchedImage, ImageSource } from './image-source.port';
export { mediaTypeParameter, parseMultipartRelated, type BodyPart } from './multipart-related';
export { selectFrontalInstance, summarizeDicomJson, type InstanceSummary } from './select-instance';
export { WadoRsImageSource } from './wado-rs-image-source';
