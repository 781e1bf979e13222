import type { LungMaskEvidence } from '@brixia/inference';
import { betterInstance, decideStudyPoint, decisionBeforeScoring, instanceQualityOf, type InstanceQuality, type StudyPoint } from './study-point';

const lungs = (over: Partial<LungMaskEvidence> = {}): LungMaskEvidence => ({
  lungAreaFraction: 0.35,
  meanLungProbability: 0.97,
  components: [
    { areaFraction: 0.18, centroidX: 0.3, centroidY: 0.5 },
    { areaFraction: 0.16, centroidX: 0.7, centroidY: 0.5 },
  ],
  alignment: [0.8, 0.03, 0, -0.03, 0.8, 0.05],
  ...over,
});
const quality = (over: Partial<InstanceQuality> = {}): InstanceQuality => ({ viewPosition: 'PA', lungEvidence: 0.8, shortSidePx: 2048, ...over });
const point = (over: Partial<StudyPoint> = {}): StudyPoint => ({ observationId: 'obs-a', quality: quality(), reviewed: false, ...over });

describe('instanceQualityOf', () => {
  it('reads the projection from ViewPosition, PA or AP only, and the short side', () => {
    expect(instanceQualityOf({ viewPosition: ' pa ', width: 2000, height: 2500, lungMask: lungs() })).toMatchObject({ viewPosition: 'PA', shortSidePx: 2000 });
    expect(instanceQualityOf({ viewPosition: 'AP', width: 512, height: 512, lungMask: lungs() }).viewPosition).toBe('AP');
    expect(instanceQualityOf({ viewPosition: undefined, width: 512, height: 512, lungMask: lungs() }).viewPosition).toBeNull();
    expect(instanceQualityOf({ viewPosition: 'LL', width: 512, height: 512, lungMask: lungs() }).viewPosition).toBeNull();
  });

  it('scores clear, balanced, straight lungs higher than unsure, lopsided, tilted ones (0 at the input gate\'s thresholds)', () => {
    const clear = instanceQualityOf({ width: 512, height: 512, lungMask: lungs() }).lungEvidence;
    // confidence (0.97−0.85)/0.15 = 0.8, balance 0.16/0.18 = 0.889, straightness 1 − 0.03/0.3 = 0.9 → mean 0.863
    expect(clear).toBeCloseTo(0.863, 3);
    const poor = instanceQualityOf({
      width: 512,
      height: 512,
      lungMask: lungs({ meanLungProbability: 0.86, components: [{ areaFraction: 0.2, centroidX: 0.3, centroidY: 0.5 }, { areaFraction: 0.07, centroidX: 0.7, centroidY: 0.5 }], alignment: [0.8, 0.25, 0, 0, 0.8, 0] }),
    }).lungEvidence;
    expect(poor).toBeLessThan(clear - 0.4);
    // Lungs joined into one region pass the gate but show no separation: balance 0.
    const merged = instanceQualityOf({ width: 512, height: 512, lungMask: lungs({ components: [{ areaFraction: 0.3, centroidX: 0.5, centroidY: 0.5 }] }) }).lungEvidence;
    expect(merged).toBeCloseTo((0.8 + 0 + 0.9) / 3, 3);
    expect(instanceQualityOf({ width: 512, height: 512, lungMask: lungs({ alignment: [Number.NaN, Number.NaN, 0, Number.NaN, 1, 0] }) }).lungEvidence).toBeLessThanOrEqual(clear);
  });
});

describe('betterInstance', () => {
  it('ranks PA over an unlabelled view over AP, before anything else', () => {
    expect(betterInstance(quality({ viewPosition: 'PA', lungEvidence: 0.5, shortSidePx: 300 }), quality({ viewPosition: 'AP', lungEvidence: 0.95 }))).toBe('PA view over AP');
    expect(betterInstance(quality({ viewPosition: null }), quality({ viewPosition: 'AP' }))).toBe('unlabelled view over AP');
    expect(betterInstance(quality({ viewPosition: 'AP' }), quality({ viewPosition: null }))).toBeNull();
    expect(betterInstance(quality({ viewPosition: null }), quality({ viewPosition: 'PA' }))).toBeNull();
  });

  it('ranks by lung evidence only beyond the margin, then by resolution up to the model input', () => {
    expect(betterInstance(quality({ lungEvidence: 0.95 }), quality({ lungEvidence: 0.8 }))).toBe('lung evidence 0.95 over 0.80');
    expect(betterInstance(quality({ lungEvidence: 0.85, shortSidePx: 256 }), quality({ lungEvidence: 0.8, shortSidePx: 2048 }))).toBeNull();
    expect(betterInstance(quality({ lungEvidence: 0.7 }), quality({ lungEvidence: 0.8 }))).toBeNull();
    expect(betterInstance(quality({ shortSidePx: 512 }), quality({ shortSidePx: 320 }))).toBe('resolution 512 px over 320 px (short side)');
    // Beyond 512 px the model sees the same input: no reason to displace the point.
    expect(betterInstance(quality({ shortSidePx: 3000 }), quality({ shortSidePx: 1024 }))).toBeNull();
  });

  it('keeps the incumbent on a tie (no flip-flop between equal instances)', () => {
    expect(betterInstance(quality(), quality())).toBeNull();
  });
});

describe('decideStudyPoint', () => {
  it('makes the first scored instance the point', () => {
    expect(decideStudyPoint(quality(), null)).toEqual({ kind: 'point' });
    expect(decisionBeforeScoring(null)).toBeNull();
  });

  it('supersedes a worse point, with the reason, and skips a candidate that is no better', () => {
    const supersede = decideStudyPoint(quality({ viewPosition: 'PA' }), point({ quality: quality({ viewPosition: 'AP' }) }));
    expect(supersede).toMatchObject({ kind: 'supersede', observationId: 'obs-a' });
    expect(supersede.kind === 'supersede' && supersede.reason).toMatch(/^Superseded .* better instance \(PA view over AP\)/);
    const skip = decideStudyPoint(quality({ viewPosition: 'AP' }), point());
    expect(skip).toMatchObject({ kind: 'skip', observationId: 'obs-a' });
    expect(skip.kind === 'skip' && skip.reason).toMatch(/^Another instance of this ImagingStudy is its timeline point.*AP, lung evidence 0\.80, 2048 px vs PA/);
  });

  it('never displaces a reviewed point or one recorded before ranking, and says so before any scoring', () => {
    const reviewed = point({ reviewed: true, quality: quality({ viewPosition: 'AP' }) });
    expect(decisionBeforeScoring(reviewed)).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/reviewed by a clinician/) });
    expect(decideStudyPoint(quality(), reviewed).kind).toBe('skip');
    const legacy = point({ quality: null });
    expect(decisionBeforeScoring(legacy)).toMatchObject({ kind: 'skip', reason: expect.stringMatching(/before instances were ranked/) });
    expect(decisionBeforeScoring(point())).toBeNull();
  });
});
