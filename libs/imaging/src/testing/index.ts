export { syntheticRadiograph, seededRandom, type SyntheticRadiograph } from './synthetic-radiograph';
export { type FixtureTransferSyntax, FIXTURE_ENCODERS } from './fixture-encoders';
export { type DicomFixtureOptions, makeDicomFixture, dicomFixtureStoredValues } from './dicom-fixture';
export { makeRasterFixture, rasterFixturePixels } from './raster-fixture';
export { dicomSamplesDir, unpackReferenceSample } from './dicom-samples';
export { decodeGreyImage, decodeRgbImage, resizeGreyImage, pixelCorrelation, displayedCorrelation } from './image-comparison';
