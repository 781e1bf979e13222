import type { RadiographMetadata } from '../radiograph.types';

/** Why the gate refuses an image: which rule, and a message safe to show a client (no PHI). */
export interface GateProblem {
  readonly rule: string;
  readonly message: string;
}

/** Modalities of projection radiographs (PS3.3 C.7.3.1.1.1): computed and digital radiography. */
const RADIOGRAPHY_MODALITIES = new Set(['CR', 'DX']);

/**
 * BodyPartExamined (0018,0015) values naming the chest. CHEST is the DICOM defined term (PS3.16 CID 4031);
 * the others are spellings modalities write in practice: THORAX (also German), LUNG(S), and the Italian,
 * Spanish/Portuguese and French words (TORACE, TORAX, THORAX). Matched per word, so "CHEST PA" passes.
 */
export const CHEST_BODY_PARTS: ReadonlySet<string> = new Set(['CHEST', 'THORAX', 'THORACIC', 'LUNG', 'LUNGS', 'TORACE', 'TORAX', 'TORAKS', 'POUMON', 'POUMONS', 'PULMON', 'PULMONES', 'POLMONE', 'POLMONI']);

/** Photometric interpretations of a radiograph: grey only (PS3.3 C.8.11.3.1.1 for DX). */
const GREY_PHOTOMETRIC = new Set(['MONOCHROME1', 'MONOCHROME2']);

function normalised(value: string): string {
  return value.trim().toUpperCase();
}

function isChestBodyPart(value: string): boolean {
  const words = normalised(value).split(/[^A-Z]+/).filter((word) => word.length > 0);
  return words.length === 0 || words.some((word) => CHEST_BODY_PARTS.has(word));
}

/**
 * DICOM header rules: a CR or DX object of the chest, grey, with a legal pixel description. An absent
 * attribute passes (the pixels and the model's own outputs are judged next); PNG and JPEG have none.
 */
export function acquisitionProblems(metadata: RadiographMetadata): GateProblem[] {
  if (metadata.format !== 'dicom') return [];
  const problems: GateProblem[] = [];
  const { modality, bodyPartExamined, photometricInterpretation } = metadata;
  if (modality !== undefined && modality.trim() !== '' && !RADIOGRAPHY_MODALITIES.has(normalised(modality))) {
    problems.push({ rule: 'modality', message: `Modality ${normalised(modality)} is not a radiograph (CR or DX)` });
  }
  if (bodyPartExamined !== undefined && !isChestBodyPart(bodyPartExamined)) {
    problems.push({ rule: 'body-part', message: `BodyPartExamined ${normalised(bodyPartExamined)} is not the chest` });
  }
  if (photometricInterpretation !== undefined && !GREY_PHOTOMETRIC.has(normalised(photometricInterpretation))) {
    problems.push({ rule: 'photometric', message: `PhotometricInterpretation ${normalised(photometricInterpretation)} is not MONOCHROME1 or MONOCHROME2` });
  }
  return [...problems, ...pixelDescriptionProblems(metadata)];
}

/**
 * The Image Pixel module must describe the stored values legally (PS3.3 C.7.6.3.1; the DX IOD, C.8.11.7,
 * also fixes HighBit = BitsStored − 1): otherwise the decoder would guess, and a guessed image must not be scored.
 */
export function pixelDescriptionProblems(metadata: RadiographMetadata): GateProblem[] {
  const problems: GateProblem[] = [];
  const { pixelRepresentation, bitsAllocated, bitsStored, highBit, samplesPerPixel } = metadata;
  if (pixelRepresentation !== undefined && pixelRepresentation !== 0 && pixelRepresentation !== 1) {
    problems.push({ rule: 'pixel-representation', message: `PixelRepresentation ${pixelRepresentation} is neither 0 (unsigned) nor 1 (signed)` });
  }
  if (samplesPerPixel !== undefined && samplesPerPixel !== 1) {
    problems.push({ rule: 'samples-per-pixel', message: `SamplesPerPixel ${samplesPerPixel} is not 1 (a radiograph is grey)` });
  }
  if (bitsAllocated !== undefined && bitsAllocated !== 8 && bitsAllocated !== 16) {
    problems.push({ rule: 'bits-allocated', message: `BitsAllocated ${bitsAllocated} is not 8 or 16` });
  }
  const allocated = bitsAllocated ?? 16;
  if (bitsStored !== undefined && (bitsStored < 1 || bitsStored > allocated)) {
    problems.push({ rule: 'bits-stored', message: `BitsStored ${bitsStored} is not between 1 and BitsAllocated ${allocated}` });
  }
  if (highBit !== undefined && bitsStored !== undefined && highBit !== bitsStored - 1) {
    problems.push({ rule: 'high-bit', message: `HighBit ${highBit} is not BitsStored − 1 (${bitsStored - 1})` });
  }
  return problems;
}
