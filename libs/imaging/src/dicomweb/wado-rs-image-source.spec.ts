import { makeDicomFixture } from '../testing';
import type { DicomWebHttp } from './image-source.port';
import { WadoRsImageSource } from './wado-rs-image-source';

const BASE = 'http://pacs.test/dicom-web';
const STUDY = '2.25.1';
const dataset = (series: string, sop: string, view: string) => ({ '0020000E': { Value: [series] }, '00080018': { Value: [sop] }, '00080060': { Value: ['DX'] }, '00185101': { Value: [view] } });

function multipart(body: Buffer, transferSyntax?: string): { headers: Headers; body: Buffer } {
  const part = Buffer.concat([
    Buffer.from(`--B\r\nContent-Type: application/dicom${transferSyntax ? `; transfer-syntax=${transferSyntax}` : ''}\r\n\r\n`),
    body,
    Buffer.from('\r\n--B--\r\n'),
  ]);
  return { headers: new Headers({ 'content-type': 'multipart/related; type="application/dicom"; boundary=B' }), body: part };
}

/** A scripted DICOMweb server: answers by URL, records Accept headers. */
function fakePacs(answer: (url: string, accept: string) => { status?: number; headers?: Headers; body: Buffer }): { http: DicomWebHttp; accepts: string[] } {
  const accepts: string[] = [];
  const http: DicomWebHttp = async (url, init) => {
    const accept = init?.headers?.accept ?? '';
    accepts.push(`${url} ${accept}`);
    const { status = 200, headers = new Headers({ 'content-type': 'application/dicom+json' }), body } = answer(url, accept);
    return { status, headers, body };
  };
  return { http, accepts };
}

describe('WadoRsImageSource', () => {
  it('finds instances with QIDO-RS, takes the PA view and retrieves it as multipart/related', async () => {
    const dicom = await makeDicomFixture({ width: 64, height: 64, viewPosition: 'PA' });
    const { http, accepts } = fakePacs((url) => {
      if (url.endsWith('includefield=00080060&includefield=00185101')) return { body: Buffer.from(JSON.stringify([dataset('1', 'lat', 'LL'), dataset('1', 'pa', 'PA'), dataset('1', 'ap', 'AP')])) };
      if (url === `${BASE}/studies/${STUDY}/series/1/instances/pa`) return multipart(dicom, '1.2.840.10008.1.2.1');
      return { status: 404, body: Buffer.alloc(0) };
    });
    const image = await new WadoRsImageSource(http).fetchImage({ wadoRsBaseUrl: `${BASE}/`, studyInstanceUid: STUDY, series: [] });
    expect(image.sopInstanceUid).toBe('pa');
    expect(image.bytes.equals(dicom)).toBe(true);
    expect(accepts.at(-1)).toContain('multipart/related; type="application/dicom"; transfer-syntax=*');
  });

  it('asks again for Explicit VR Little Endian when the stored syntax cannot be decoded', async () => {
    const dicom = await makeDicomFixture({ width: 64, height: 64 });
    const { http, accepts } = fakePacs((url, accept) => {
      if (url.endsWith('/metadata')) return { body: Buffer.from(JSON.stringify([dataset('1', 'x', 'AP')])) };
      return multipart(dicom, accept.includes('transfer-syntax=*') ? '1.2.840.10008.1.2.4.203' : '1.2.840.10008.1.2.1');
    });
    const image = await new WadoRsImageSource(http).fetchImage({ wadoRsBaseUrl: BASE, studyInstanceUid: STUDY, series: [{ seriesInstanceUid: '1', modality: 'DX', instances: [] }] });
    expect(image.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(accepts.filter((a) => a.includes('/instances/x'))).toHaveLength(2);
  });

  it.each([
    ['a non-DICOM answer', { headers: new Headers({ 'content-type': 'text/html' }), body: Buffer.from('<html>') }, 'UPSTREAM.INVALID_RESPONSE'],
    ['a DICOM media type holding something else', { headers: new Headers({ 'content-type': 'application/dicom' }), body: Buffer.from('not dicom at all, just text') }, 'UPSTREAM.INVALID_RESPONSE'],
    ['a missing study', { status: 404, body: Buffer.alloc(0) }, 'IMAGING.STUDY_NOT_FOUND'],
    ['an outage', { status: 503, body: Buffer.alloc(0) }, 'UPSTREAM.UNAVAILABLE'],
    ['a refusal of credentials', { status: 401, body: Buffer.alloc(0) }, 'UPSTREAM.UNAUTHORIZED'],
  ])('reports %s clearly', async (_what, retrieval, code) => {
    const { http } = fakePacs((url) => (url.includes('includefield') ? { body: Buffer.from(JSON.stringify([dataset('1', 'a', 'AP')])) } : retrieval));
    await expect(new WadoRsImageSource(http).fetchImage({ wadoRsBaseUrl: BASE, studyInstanceUid: STUDY, series: [] })).rejects.toMatchObject({ code });
  });

  it('refuses a study without a frontal radiograph', async () => {
    const { http } = fakePacs(() => ({ body: Buffer.from(JSON.stringify([dataset('1', 'lat', 'LL')])) }));
    await expect(new WadoRsImageSource(http).fetchImage({ wadoRsBaseUrl: BASE, studyInstanceUid: STUDY, series: [] })).rejects.toMatchObject({ code: 'IMAGING.NO_PIXELS' });
  });
});
