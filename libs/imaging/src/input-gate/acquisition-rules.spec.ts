import type { RadiographMetadata } from '../radiograph.types';
import { acquisitionProblems } from './acquisition-rules';

const chestCr: RadiographMetadata = {
  format: 'dicom',
  modality: 'CR',
  bodyPartExamined: 'CHEST',
  viewPosition: 'PA',
  photometricInterpretation: 'MONOCHROME1',
  rows: 2000,
  columns: 1800,
  samplesPerPixel: 1,
  bitsAllocated: 16,
  bitsStored: 12,
  highBit: 11,
  pixelRepresentation: 0,
};

function rules(metadata: Partial<RadiographMetadata>): string[] {
  return acquisitionProblems({ ...chestCr, ...metadata }).map((p) => p.rule);
}

describe('acquisitionProblems (DICOM header rules of the input gate)', () => {
  it('passes a CR or DX chest radiograph with a legal pixel description', () => {
    expect(rules({})).toEqual([]);
    expect(rules({ modality: 'DX', photometricInterpretation: 'MONOCHROME2', bitsAllocated: 8, bitsStored: 8, highBit: 7, pixelRepresentation: 1 })).toEqual([]);
  });

  it('passes absent attributes: the pixels are judged next', () => {
    expect(acquisitionProblems({ format: 'dicom', rows: 512, columns: 512 })).toEqual([]);
    expect(rules({ bodyPartExamined: '' })).toEqual([]);
  });

  it('never applies to PNG or JPEG', () => {
    expect(acquisitionProblems({ format: 'png', rows: 1, columns: 1, modality: 'CT' })).toEqual([]);
  });

  it.each(['CT', 'MR', 'XA', 'US', 'MG', 'OT', 'SC'])('refuses modality %s', (modality) => {
    expect(rules({ modality })).toEqual(['modality']);
  });

  it.each(['CHEST', 'chest', ' CHEST ', 'THORAX', 'LUNG', 'LUNGS', 'TORAX', 'TORACE', 'CHEST_PA', 'CHEST AP'])('accepts body part %p', (bodyPartExamined) => {
    expect(rules({ bodyPartExamined })).toEqual([]);
  });

  it.each(['EXTREMITY', 'ABDOMEN', 'SKULL', 'HAND', 'KNEE', 'PELVIS', 'BREAST', 'LEG'])('refuses body part %s', (bodyPartExamined) => {
    expect(rules({ bodyPartExamined })).toEqual(['body-part']);
  });

  it.each(['RGB', 'YBR_FULL', 'PALETTE COLOR'])('refuses photometric interpretation %s', (photometricInterpretation) => {
    expect(rules({ photometricInterpretation })).toContain('photometric');
  });

  it('refuses an illegal pixel description, each problem named', () => {
    expect(rules({ pixelRepresentation: 7 })).toEqual(['pixel-representation']);
    expect(rules({ bitsAllocated: 12 })).toEqual(['bits-allocated']);
    expect(rules({ bitsAllocated: 8, bitsStored: 12, highBit: 11 })).toEqual(['bits-stored']);
    expect(rules({ bitsStored: 0, highBit: -1 })).toEqual(['bits-stored']);
    expect(rules({ highBit: 15 })).toEqual(['high-bit']);
    expect(rules({ samplesPerPixel: 3 })).toEqual(['samples-per-pixel']);
  });

  it('gives messages that say what is wrong', () => {
    const [problem] = acquisitionProblems({ ...chestCr, bodyPartExamined: 'extremity' });
    expect(problem.message).toBe('BodyPartExamined EXTREMITY is not the chest');
  });
});
