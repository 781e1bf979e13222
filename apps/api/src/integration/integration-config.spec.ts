import { loadConfig } from '../config';

describe('EHR/PACS configuration', () => {
  it('is off by default and builds the PACS allow-list from the default WADO-RS URL and the extra bases', () => {
    expect(loadConfig({}).integration.ehr).toBeUndefined();
    const config = loadConfig({
      BRIXIA_EHR_BASE_URL: 'https://ehr.example.org/fhir/',
      BRIXIA_PACS_WADO_RS_URL: 'http://pacs:8042/dicom-web/',
      BRIXIA_PACS_ALLOWED_BASE_URLS: 'http://pacs2/dicom-web, http://pacs:8042/dicom-web/',
      BRIXIA_OUTBOX_RETRY_HOURS: '24',
    }).integration;
    expect(config.ehr?.baseUrl).toBe('https://ehr.example.org/fhir');
    expect(config.pacs.defaultWadoRsUrl).toBe('http://pacs:8042/dicom-web');
    expect(config.pacs.allowedBaseUrls).toEqual(['http://pacs:8042/dicom-web/', 'http://pacs2/dicom-web']);
    expect(config.outbox.retryPeriodMs).toBe(24 * 3_600_000);
  });

  it.each([
    [{ BRIXIA_EHR_BASE_URL: 'https://ehr/fhir', BRIXIA_EHR_AUTH: 'bearer' }, /BRIXIA_EHR_TOKEN/],
    [{ BRIXIA_EHR_BASE_URL: 'https://ehr/fhir', BRIXIA_EHR_AUTH: 'smart-backend' }, /BRIXIA_EHR_SMART_TOKEN_URL/],
    [{ BRIXIA_EHR_BASE_URL: 'not a url' }, /BRIXIA_EHR_BASE_URL/],
    [{ BRIXIA_PACS_ALLOWED_BASE_URLS: 'http://ok, nope' }, /BRIXIA_PACS_ALLOWED_BASE_URLS/],
    [{ BRIXIA_EHR_SMART_ALG: 'HS256' }, /BRIXIA_EHR_SMART_ALG/],
  ])('fails fast on %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
