import { selectFrontalInstance, summarizeDicomJson } from './select-instance';

describe('selectFrontalInstance', () => {
  const i = (sop: string, modality?: string, viewPosition?: string) => ({ seriesInstanceUid: '1', sopInstanceUid: sop, modality, viewPosition });

  it('prefers PA, then AP, then an unknown view, and never a lateral or a non-radiograph', () => {
    expect(selectFrontalInstance([i('lat', 'DX', 'LL'), i('ap', 'DX', 'AP'), i('pa', 'CR', 'PA')])?.sopInstanceUid).toBe('pa');
    expect(selectFrontalInstance([i('none', 'DX'), i('ap', 'DX', 'AP')])?.sopInstanceUid).toBe('ap');
    expect(selectFrontalInstance([i('ct', 'CT', 'PA'), i('none', 'DX')])?.sopInstanceUid).toBe('none');
    expect(selectFrontalInstance([i('lat', 'DX', 'LATERAL'), i('sr', 'SR')])).toBeUndefined();
  });

  it('reads DICOM JSON datasets', () => {
    const json = [
      { '0020000E': { vr: 'UI', Value: ['1.2'] }, '00080018': { vr: 'UI', Value: ['1.2.3'] }, '00080060': { vr: 'CS', Value: ['DX'] }, '00185101': { vr: 'CS', Value: ['AP'] } },
      { '00080018': { vr: 'UI', Value: ['no-series'] } },
    ];
    expect(summarizeDicomJson(json)).toEqual([{ seriesInstanceUid: '1.2', sopInstanceUid: '1.2.3', modality: 'DX', viewPosition: 'AP' }]);
    expect(summarizeDicomJson({ not: 'an array' })).toEqual([]);
  });
});
