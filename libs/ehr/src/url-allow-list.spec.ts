import { UrlAllowList } from './url-allow-list';

describe('UrlAllowList', () => {
  const list = new UrlAllowList([
    { baseUrl: 'https://ehr.example.org/fhir/', value: 'ehr' },
    { baseUrl: 'http://127.0.0.1:8042/dicom-web', value: 'pacs' },
  ]);

  it('matches URLs under a base and gives the relative path', () => {
    const matched = list.match('https://ehr.example.org/fhir/ImagingStudy/42');
    expect(matched?.base.value).toBe('ehr');
    expect(matched?.relativePath).toBe('ImagingStudy/42');
    expect(list.match('http://127.0.0.1:8042/dicom-web/studies/1.2.3')?.relativePath).toBe('studies/1.2.3');
  });

  it.each([
    ['another host', 'https://evil.example.org/fhir/ImagingStudy/1'],
    ['another port', 'http://127.0.0.1:8043/dicom-web/studies/1'],
    ['another scheme', 'http://ehr.example.org/fhir/ImagingStudy/1'],
    ['a sibling path', 'https://ehr.example.org/fhir-admin/ImagingStudy/1'],
    ['dot segments', 'https://ehr.example.org/fhir/../admin/x'],
    ['encoded dot segments', 'https://ehr.example.org/fhir/%2e%2e/admin'],
    ['userinfo', 'https://user:pw@ehr.example.org/fhir/ImagingStudy/1'],
    ['host confusion with userinfo', 'https://ehr.example.org@evil.example.org/fhir/x'],
    ['file scheme', 'file:///etc/passwd'],
    ['not a URL', 'ImagingStudy/1'],
  ])('refuses %s', (_what, url) => {
    expect(list.match(url)).toBeUndefined();
    expect(() => list.require(url, 'ImagingStudy reference')).toThrow(expect.objectContaining({ code: 'UPSTREAM.NOT_ALLOWED' }));
  });

  it('refuses bad configuration at start-up', () => {
    expect(() => new UrlAllowList([{ baseUrl: 'ftp://x/', value: 1 }])).toThrow(expect.objectContaining({ code: 'CONFIG.INVALID' }));
  });
});
