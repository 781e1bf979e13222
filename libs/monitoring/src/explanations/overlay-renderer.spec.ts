import { decodeRadiograph, type GreyImage } from '@brixia/imaging';
import { decodeGreyImage, displayedCorrelation, makeDicomFixture, makeRasterFixture, syntheticRadiograph } from '@brixia/imaging/testing';
import { displayRaster, OVERLAY_MAX_SIDE, renderGreyPng, renderOverlayPng } from './overlay-renderer';

/** The served image must show the decoded source: resized back, nearly the same pixels. */
const MIN_CORRELATION = 0.99;

function synthetic(width: number, height: number, seed: number): GreyImage {
  return { width, height, pixels: Uint8Array.from(syntheticRadiograph({ width, height, seed, bitsStored: 8 }).pixels) };
}

const decoded = async (bytes: Buffer): Promise<GreyImage> => (await decodeRadiograph(bytes)).image;

describe('displayRaster keeps the source geometry and content', () => {
  const sources: Array<[string, () => Promise<GreyImage>]> = [
    ['an 8-bit PNG (landscape 600×500)', async () => decoded(await makeRasterFixture({ format: 'png', width: 600, height: 500, seed: 3 }))],
    ['a JPEG (portrait 420×640)', async () => decoded(await makeRasterFixture({ format: 'jpeg', width: 420, height: 640, seed: 4 }))],
    ['a MONOCHROME1 DICOM (12 bits, 700×560)', async () => decoded(await makeDicomFixture({ photometric: 'MONOCHROME1', width: 700, height: 560, seed: 5 }))],
    ['a MONOCHROME2 DICOM (12 bits, 560×700)', async () => decoded(await makeDicomFixture({ photometric: 'MONOCHROME2', width: 560, height: 700, seed: 6 }))],
    ['a wide raster (1100×550)', async () => synthetic(1100, 550, 7)],
    ['a square raster larger than the display (1024²)', async () => synthetic(1024, 1024, 8)],
    ['a raster smaller than the display (300×260, kept as is)', async () => synthetic(300, 260, 9)],
  ];

  it.each(sources)('%s', async (_name, load) => {
    const source = await load();
    const display = await displayRaster(source);
    const scale = Math.min(1, OVERLAY_MAX_SIDE / Math.max(source.width, source.height));
    expect([display.width, display.height]).toEqual([Math.round(source.width * scale), Math.round(source.height * scale)]);
    expect(display.pixels).toHaveLength(display.width * display.height);
    expect(await displayedCorrelation(display, source)).toBeGreaterThanOrEqual(MIN_CORRELATION);
  });

  it('encodes the display raster losslessly as a grey PNG', async () => {
    const display = await displayRaster(synthetic(600, 500, 10));
    const served = await decodeGreyImage(await renderGreyPng(display));
    expect([served.width, served.height]).toEqual([display.width, display.height]);
    expect(Buffer.from(served.pixels).equals(Buffer.from(display.pixels))).toBe(true);
  });

  it('leaves the radiograph untouched where the heat is below the threshold', async () => {
    const display = await displayRaster(synthetic(600, 500, 11));
    const heat = { width: display.width, height: display.height, values: new Float32Array(display.width * display.height).fill(0.1) };
    const overlay = await decodeGreyImage(await renderOverlayPng(display, heat));
    expect(Buffer.from(overlay.pixels).equals(Buffer.from(display.pixels))).toBe(true);
  });
});
