import { imagingError } from './imaging.errors';
import type { RadiographMetadata } from './radiograph.types';

/**
 * ViewPosition (0018,5101) values that are not frontal projections: laterals (PS3.3 C.8.11.5.1.1 defined
 * terms LL, RL, and the LAT/LATERAL spellings some modalities write) and obliques (RLO, LLO, and the
 * RAO/LAO/RPO/LPO of other vocabularies). Decubitus views (RLD, LLD) are frontal projections and pass.
 */
const NON_FRONTAL = new Set(['LL', 'RL', 'LAT', 'LATERAL', 'LLAT', 'RLAT', 'XTABLE LAT', 'RLO', 'LLO', 'RAO', 'LAO', 'RPO', 'LPO', 'OBL', 'OBLIQUE']);

function isNonFrontal(viewPosition: string): boolean {
  const value = viewPosition.trim().toUpperCase().replace(/[_-]+/g, ' ');
  if (NON_FRONTAL.has(value)) return true;
  // Free-text variants such as "LEFT LATERAL", unless a frontal token says otherwise ("AP LAT DECUB").
  const tokens = value.split(/\s+/);
  const frontal = tokens.includes('AP') || tokens.includes('PA');
  return !frontal && tokens.some((token) => token === 'LAT' || token === 'LATERAL' || token === 'OBLIQUE');
}

/**
 * The Brixia score is defined on frontal (AP or PA) chest radiographs (Borghesi & Maroldi 2020; Signoroni et al. 2021), so lateral and oblique
 * views are refused. AP, PA, decubitus, other values and an absent ViewPosition pass: many DX/CR
 * objects omit it, and refusing those would refuse most bedside films.
 * Throws AppError IMAGING.NOT_FRONTAL.
 */
export function assertFrontalView(metadata: RadiographMetadata): void {
  const { viewPosition } = metadata;
  if (viewPosition !== undefined && isNonFrontal(viewPosition)) {
    throw imagingError('IMAGING.NOT_FRONTAL', 'Only frontal (AP or PA) chest radiographs can be scored', undefined, {
      viewPosition,
    });
  }
}
