import { isAppError } from '@brixia/common';
import { assertChestRadiograph, chestPlausibilityProblems } from './chest-plausibility';
import type { LungComponent, LungMaskEvidence } from './lung-mask-evidence';

const lung = (areaFraction: number, centroidX: number, centroidY = 0.45): LungComponent => ({ areaFraction, centroidX, centroidY });

/** Typical of a frontal chest radiograph (bench/input-gate-calibration.ts medians). */
const chest: LungMaskEvidence = {
  lungAreaFraction: 0.36,
  meanLungProbability: 0.95,
  components: [lung(0.19, 0.3), lung(0.16, 0.71), lung(0.005, 0.9)],
  alignment: [0.78, 0.01, 0, 0.01, 0.8, -0.05],
};

function rules(evidence: Partial<LungMaskEvidence>): string[] {
  return chestPlausibilityProblems({ ...chest, ...evidence }).map((p) => p.rule);
}

describe('chestPlausibilityProblems', () => {
  it('passes the evidence of a frontal chest radiograph', () => {
    expect(rules({})).toEqual([]);
  });

  it('refuses a lung area out of range', () => {
    expect(rules({ lungAreaFraction: 0.02, components: [lung(0.05, 0.3), lung(0.04, 0.7)] })).toContain('lung-area');
    expect(rules({ lungAreaFraction: 0.95 })).toEqual(['lung-area']);
  });

  it('refuses an unsure mask', () => {
    expect(rules({ meanLungProbability: 0.6 })).toEqual(['lung-confidence']);
  });

  it('refuses two lung regions on the same side, or too close, or too small', () => {
    expect(rules({ components: [lung(0.2, 0.2), lung(0.15, 0.4)] })).toEqual(['lung-sides']);
    expect(rules({ components: [lung(0.2, 0.45), lung(0.15, 0.55)] })).toEqual(['lung-sides']);
    expect(rules({ components: [lung(0.1, 0.3), lung(0.035, 0.7)] })).toEqual(['two-lungs']);
  });

  it('refuses a second region neither lung-sized nor negligible', () => {
    expect(rules({ components: [lung(0.37, 0.5), lung(0.045, 0.85)] })).toEqual(['lung-balance']);
    expect(rules({ components: [lung(0.3, 0.3), lung(0.09, 0.7)] })).toEqual(['lung-balance']);
  });

  it('accepts lungs joined into one region across the midline, and nothing else as one region', () => {
    expect(rules({ components: [lung(0.4, 0.55), lung(0.003, 0.9)] })).toEqual([]);
    expect(rules({ components: [lung(0.35, 0.5)] })).toEqual([]);
    expect(rules({ components: [lung(0.3, 0.8), lung(0.005, 0.3)] })).toEqual(['two-lungs']);
    expect(rules({ components: [lung(0.15, 0.5)] })).toEqual(['two-lungs']);
    expect(rules({ lungAreaFraction: 0.6, components: [lung(0.58, 0.5)] })).toEqual(['two-lungs']);
    expect(rules({ components: [] })).toEqual(['two-lungs']);
  });

  it('refuses an alignment far from the frames of chest radiographs', () => {
    expect(rules({ alignment: [0.2, 0, 0, 0, 0.8, 0] })).toEqual(['alignment']);
    expect(rules({ alignment: [0.8, 0.6, 0, 0, 0.8, 0] })).toEqual(['alignment']);
    expect(rules({ alignment: [0.8, 0, 0.9, 0, 0.8, 0] })).toEqual(['alignment']);
    expect(rules({ alignment: [0.8, 0, 0, 0, Number.NaN, 0] })).toEqual(['alignment']);
    expect(rules({ alignment: [0.8, 0, 0] })).toEqual(['alignment']);
  });
});

describe('assertChestRadiograph', () => {
  it('lets a plausible output through', () => {
    expect(() => assertChestRadiograph({ lungMask: chest })).not.toThrow();
  });

  it('throws IMAGE.NOT_A_CHEST_RADIOGRAPH (non-retryable 422) naming the rules', () => {
    let thrown: unknown;
    try {
      assertChestRadiograph({ lungMask: { ...chest, lungAreaFraction: 0.01, meanLungProbability: 0.5, components: [] } });
    } catch (error) {
      thrown = error;
    }
    expect(isAppError(thrown)).toBe(true);
    if (!isAppError(thrown)) return;
    expect(thrown.code).toBe('IMAGE.NOT_A_CHEST_RADIOGRAPH');
    expect(thrown.spec).toMatchObject({ httpStatus: 422, retryable: false });
    expect(thrown.details?.['rules']).toEqual(['lung-area', 'lung-confidence', 'two-lungs']);
    expect(thrown.message).toMatch(/^Not a frontal chest radiograph: /);
  });
});
