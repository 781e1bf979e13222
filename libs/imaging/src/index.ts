export type { GreyImage, ImageFormat, RadiographMetadata, DecodedRadiograph, DecodeOptions } from './radiograph.types';
export { detectImageFormat } from './image-format';
export { decodeRadiograph, readRadiographMetadata } from './decode-radiograph';
export { assertFrontalView } from './view-position';
export { PREPROCESSING_ID, MODEL_INPUT_SIZE, preprocessForBsnet } from './preprocess/bsnet-preprocess';
export { SUPPORTED_TRANSFER_SYNTAXES } from './dicom/transfer-syntax';
export * from './dicomweb';
export * from './input-gate';
export { inProcessPreparer, startPreparerPool, type PreparedRadiograph, type RadiographPreparer, type PreparerPoolOptions } from './prepare/radiograph-preparer';
