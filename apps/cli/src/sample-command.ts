import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { makeDicomFixture, syntheticRadiograph } from '@brixia/imaging/testing';

/** What `brixia sample` writes: names a newcomer can paste into the README's quick tour. */
export const SAMPLE_FILES = { dicom: 'sample-chest.dcm', png: 'sample-chest.png' } as const;

/** The sample's identity in the DICOM header (a made-up patient; the pixels are generated). */
export const SAMPLE_PATIENT_ID = 'sample-patient-1';

const WIDTH = 1024;
const HEIGHT = 1024;

/**
 * Writes a synthetic chest-like frontal radiograph (the generator the tests use: lung fields, ribs,
 * mediastinum, diaphragm, seeded noise) as a 12-bit DX DICOM (PA, PatientID and acquisition time in the
 * header) and as an 8-bit PNG. Nothing here is patient data. Returns the written paths.
 */
export async function writeSample(dir: string): Promise<{ dicom: string; png: string }> {
  await mkdir(dir, { recursive: true });
  const dicom = join(dir, SAMPLE_FILES.dicom);
  const png = join(dir, SAMPLE_FILES.png);
  const dicomBytes = await makeDicomFixture({
    width: WIDTH,
    height: HEIGHT,
    seed: 7,
    modality: 'DX',
    viewPosition: 'PA',
    patientId: SAMPLE_PATIENT_ID,
    acquisitionDateTime: '20240301101500',
    timezoneOffset: '+0000',
  });
  const image = syntheticRadiograph({ width: WIDTH, height: HEIGHT, seed: 7, bitsStored: 8 });
  const pngBytes = await sharp(Buffer.from(Uint8Array.from(image.pixels)), { raw: { width: WIDTH, height: HEIGHT, channels: 1 } }).png().toBuffer();
  await writeFile(dicom, dicomBytes);
  await writeFile(png, pngBytes);
  return { dicom, png };
}
