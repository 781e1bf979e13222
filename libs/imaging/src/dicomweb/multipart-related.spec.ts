import { mediaTypeParameter, parseMultipartRelated } from './multipart-related';

const CT = 'multipart/related; type="application/dicom"; boundary=XYZ';

function message(parts: Buffer[], leadingCrlf = false): Buffer {
  const chunks: Buffer[] = [];
  for (const [index, part] of parts.entries()) {
    chunks.push(Buffer.from(`${index === 0 && !leadingCrlf ? '' : '\r\n'}--XYZ\r\nContent-Type: application/dicom; transfer-syntax=1.2.840.10008.1.2.1\r\n\r\n`), part);
  }
  chunks.push(Buffer.from('\r\n--XYZ--\r\n'));
  return Buffer.concat(chunks);
}

describe('parseMultipartRelated', () => {
  it('returns each part byte for byte, even when a part contains CRLF and dashes', () => {
    const binary = Buffer.from([0, 13, 10, 45, 45, 88, 89, 0xff, 13, 10]);
    const parts = parseMultipartRelated(message([binary, Buffer.from('second')]), CT);
    expect(parts).toHaveLength(2);
    expect(parts[0].body.equals(binary)).toBe(true);
    expect(parts[0].headers['content-type']).toContain('transfer-syntax=1.2.840.10008.1.2.1');
    expect(parts[1].body.toString()).toBe('second');
  });

  it('accepts a preamble CRLF before the first delimiter', () => {
    expect(parseMultipartRelated(message([Buffer.from('a')], true), CT)[0].body.toString()).toBe('a');
  });

  it('refuses a truncated message or one without a boundary', () => {
    const whole = message([Buffer.from('abc')]);
    expect(() => parseMultipartRelated(whole.subarray(0, whole.length - 12), CT)).toThrow(expect.objectContaining({ code: 'UPSTREAM.INVALID_RESPONSE' }));
    expect(() => parseMultipartRelated(whole, 'multipart/related')).toThrow(expect.objectContaining({ code: 'UPSTREAM.INVALID_RESPONSE' }));
  });

  it('reads quoted and unquoted media type parameters', () => {
    expect(mediaTypeParameter('multipart/related; type="application/dicom"; boundary="a b"', 'boundary')).toBe('a b');
    expect(mediaTypeParameter('application/dicom; transfer-syntax=1.2.840.10008.1.2.1', 'transfer-syntax')).toBe('1.2.840.10008.1.2.1');
  });
});
