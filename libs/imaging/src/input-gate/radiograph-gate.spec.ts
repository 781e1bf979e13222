import { isAppError } from '@brixia/common';
import { rasterFixturePixels } from '../testing/raster-fixture';
import type { DecodedRadiograph } from '../radiograph.types';
import { assertAcceptableAcquisition, assertScorableRadiograph } from './radiograph-gate';

function caught(run: () => void): { code?: string; message?: string; details?: Readonly<Record<string, unknown>> } {
  try {
    run();
    return {};
  } catch (error) {
    return isAppError(error) ? { code: error.code, message: error.message, details: error.details } : { message: String(error) };
  }
}

const radiograph = (width: number, height: number): DecodedRadiograph => ({
  image: { width, height, pixels: rasterFixturePixels({ width, height, seed: 3 }) },
  metadata: { format: 'png', rows: height, columns: width },
});

describe('the input gate before the model', () => {
  it('passes the synthetic radiograph fixture the e2e tests upload', () => {
    expect(caught(() => assertScorableRadiograph(radiograph(600, 500)))).toEqual({});
  });

  it('refuses a lateral view as before (IMAGING.NOT_FRONTAL), before the other rules', () => {
    const lateral = { format: 'dicom' as const, rows: 10, columns: 10, viewPosition: 'LL', bodyPartExamined: 'SKULL' };
    expect(caught(() => assertAcceptableAcquisition(lateral)).code).toBe('IMAGING.NOT_FRONTAL');
  });

  it('refuses with IMAGE.NOT_A_CHEST_RADIOGRAPH, every failed rule in the details', () => {
    const tibia = { format: 'dicom' as const, rows: 1760, columns: 1760, modality: 'CR', bodyPartExamined: 'EXTREMITY', viewPosition: 'AP' };
    const refusal = caught(() => assertAcceptableAcquisition(tibia));
    expect(refusal).toMatchObject({ code: 'IMAGE.NOT_A_CHEST_RADIOGRAPH', message: 'Not a frontal chest radiograph: BodyPartExamined EXTREMITY is not the chest' });
    expect(refusal.details?.['rules']).toEqual(['body-part']);
  });

  it('checks the decoded image after the header', () => {
    const tiny = caught(() => assertScorableRadiograph(radiograph(1, 1)));
    expect(tiny).toMatchObject({ code: 'IMAGE.NOT_A_CHEST_RADIOGRAPH', details: { rules: ['short-side', 'near-constant'], width: 1, height: 1 } });
    expect(caught(() => assertScorableRadiograph(radiograph(300, 700))).details?.['rules']).toEqual(['aspect-ratio']);
  });
});
