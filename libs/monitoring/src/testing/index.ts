/** @brixia/monitoring/testing — test helpers: where an explanation overlay's heat lies. For specs only. */
export { measureZoneOverlay, type OverlayMeasurement, type RgbRaster } from './overlay-geometry';
