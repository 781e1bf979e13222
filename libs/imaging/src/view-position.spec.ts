import { isAppError } from '@brixia/common';
import type { RadiographMetadata } from './radiograph.types';
import { assertFrontalView } from './view-position';

function verdict(viewPosition: string | undefined): string {
  const metadata: RadiographMetadata = { format: 'dicom', rows: 10, columns: 10, viewPosition };
  try {
    assertFrontalView(metadata);
    return 'pass';
  } catch (error) {
    return isAppError(error) ? error.code : 'other error';
  }
}

describe('assertFrontalView', () => {
  it.each(['AP', 'PA', 'pa', ' AP ', 'AP SUPINE', 'RLD', 'LLD', '', undefined])('lets %p through', (view) => {
    expect(verdict(view)).toBe('pass');
  });

  it.each(['LL', 'RL', 'LAT', 'LATERAL', 'lateral', 'LEFT LATERAL', 'RLO', 'LLO', 'OBLIQUE'])('refuses %p', (view) => {
    expect(verdict(view)).toBe('IMAGING.NOT_FRONTAL');
  });
});
