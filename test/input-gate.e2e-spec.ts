import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expectValidR4 } from '@brixia/fhir/testing';
import { decodeRadiograph } from '@brixia/imaging';
import { dicomSamplesDir, makeDicomFixture, seededRandom } from '@brixia/imaging/testing';
import { createTestDatabase } from '@brixia/persistence/testing';
import { startService, uploadRadiograph, waitForTask, type TestService } from './support/service';

// The input gate (README.md, "Input gate"): refused images get a 422 OperationOutcome (sync) or a failed
// Task (async), and never an Observation.
const NOT_A_CHEST = 'IMAGE.NOT_A_CHEST_RADIOGRAPH';
const ACQUIRED = '2024-04-01T09:00:00Z';

/** Uniform 8-bit noise: no lungs for the model to find. */
function noisePng(width: number, height: number, seed: number): Promise<Buffer> {
  const random = seededRandom(seed);
  const pixels = Buffer.from(Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256)));
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

function greyPng(width: number, height: number, seed: number): Promise<Buffer> {
  const random = seededRandom(seed);
  const pixels = Buffer.from(Uint8Array.from({ length: width * height }, () => 60 + Math.floor(random() * 120)));
  return sharp(pixels, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

describe('input gate: only frontal chest radiographs are scored', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: await createTestDatabase('brixia_gate_e2e') });
  });

  afterAll(async () => {
    await service?.close();
  });

  const upload = (file: Buffer, name: string, patient: string, prefer?: string) => {
    const req = service.http.post('/api/v1/studies').attach('file', file, { filename: name }).field('patient', patient).field('acquired', ACQUIRED);
    return prefer ? req.set('Prefer', prefer) : req;
  };

  async function expectRefused(file: Buffer, name: string, patient: string, diagnostics: RegExp, code = NOT_A_CHEST): Promise<void> {
    const response = await upload(file, name, patient).expect(422);
    await expectValidR4(response.body);
    expect(response.body.resourceType).toBe('OperationOutcome');
    expect(response.body.issue[0].details.text).toBe(code);
    expect(response.body.issue[0].diagnostics).toMatch(diagnostics);
    await expectNoObservation(patient);
  }

  async function expectNoObservation(patient: string): Promise<void> {
    const search = await service.http.get('/fhir/Observation').query({ subject: `Patient/${patient}` }).expect(200);
    expect(search.body).toMatchObject({ resourceType: 'Bundle', total: 0 });
  }

  it('still scores the generated chest-like radiograph the other e2e tests upload', async () => {
    const response = await uploadRadiograph(service, { patient: 'gate-synthetic', acquired: ACQUIRED, seed: 5 });
    expect(response.body.resourceType).toBe('Observation');
  });

  it('refuses a DICOM whose BodyPartExamined is not the chest', async () => {
    const dicom = await makeDicomFixture({ patientId: 'gate-extremity', width: 320, height: 320, overrides: { BodyPartExamined: 'EXTREMITY' } });
    await expectRefused(dicom, 'leg.dcm', 'gate-extremity', /BodyPartExamined EXTREMITY is not the chest/);
  });

  it('refuses a DICOM that is not a radiograph (Modality CT)', async () => {
    const dicom = await makeDicomFixture({ patientId: 'gate-ct', width: 320, height: 320, overrides: { Modality: 'CT' } });
    await expectRefused(dicom, 'ct.dcm', 'gate-ct', /Modality CT/);
  });

  it('refuses a DICOM with an illegal PixelRepresentation (7)', async () => {
    const dicom = await makeDicomFixture({ patientId: 'gate-pixrep', width: 320, height: 320, overrides: { PixelRepresentation: 7 } });
    await expectRefused(dicom, 'pr7.dcm', 'gate-pixrep', /PixelRepresentation 7/);
  });

  it.each([
    [1, 1, /short side/],
    [1, 65535, /short side/],
    [1200, 400, /width\/height/],
  ])('refuses a %i×%i PNG', async (width, height, diagnostics) => {
    await expectRefused(await greyPng(width, height, width + height), 'odd.png', `gate-size-${width}x${height}`, diagnostics);
  });

  it('refuses a near-constant PNG', async () => {
    const flat = await sharp(Buffer.alloc(400 * 400, 120), { raw: { width: 400, height: 400, channels: 1 } }).png().toBuffer();
    await expectRefused(flat, 'flat.png', 'gate-flat', /nearly uniform/);
  });

  it('refuses noise on the model\'s own lung mask', async () => {
    await expectRefused(await noisePng(512, 512, 7), 'noise.png', 'gate-noise', /^Not a frontal chest radiograph: the /);
  });

  it('records a refused image as a failed Task with the reason in async mode, and no Observation', async () => {
    const accepted = await upload(await noisePng(600, 500, 8), 'noise.png', 'gate-async', 'respond-async').expect(202);
    const task = await waitForTask(service, new URL(String(accepted.headers['content-location'])).pathname);
    expect(task.status).toBe('failed');
    expect(task.statusReason?.text).toMatch(/^Not a frontal chest radiograph/);
    const outcome = task.contained?.find((r) => r.resourceType === 'OperationOutcome') as fhir4.OperationOutcome | undefined;
    expect(outcome?.issue[0].details?.text).toBe(NOT_A_CHEST);
    expect(task.output?.some((o) => o.valueReference?.reference?.startsWith('Observation/'))).toBe(false);
    await expectNoObservation('gate-async');
  });

  it('records a refused DICOM header as a failed Task in async mode', async () => {
    const dicom = await makeDicomFixture({ patientId: 'gate-async-dicom', width: 320, height: 320, overrides: { BodyPartExamined: 'SKULL' } });
    const accepted = await upload(dicom, 'skull.dcm', 'gate-async-dicom', 'respond-async').expect(202);
    const task = await waitForTask(service, new URL(String(accepted.headers['content-location'])).pathname);
    expect(task.status).toBe('failed');
    expect(task.statusReason?.text).toMatch(/BodyPartExamined SKULL/);
    await expectNoObservation('gate-async-dicom');
  });

  // Optional: the NEMA WG04 tibia (CR, BodyPartExamined EXTREMITY) from the shared research samples.
  const samples = process.env['BRIXIA_DICOM_SAMPLES_DIR'] ?? dicomSamplesDir();
  const tibia = samples === undefined ? undefined : join(samples, 'RG3_JLSN.dcm');
  const withTibia = tibia !== undefined && existsSync(tibia) ? it : it.skip;

  withTibia('refuses the RG3 tibia DICOM, and the same pixels as a PNG on the model\'s lung mask', async () => {
    const bytes = readFileSync(tibia as string);
    await expectRefused(bytes, 'RG3_JLSN.dcm', 'gate-tibia', /BodyPartExamined EXTREMITY/);
    const { image } = await decodeRadiograph(bytes);
    const png = await sharp(Buffer.from(image.pixels), { raw: { width: image.width, height: image.height, channels: 1 } }).png().toBuffer();
    await expectRefused(png, 'tibia.png', 'gate-tibia-png', /^Not a frontal chest radiograph: the /);
  });
});
