import { AppError } from '@brixia/common';

/** One body part of a multipart message, with its headers lower-cased. */
export interface BodyPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Parameter `name` of a media type such as `multipart/related; type="application/dicom"; boundary=x`. */
export function mediaTypeParameter(contentType: string, name: string): string | undefined {
  for (const piece of contentType.split(';').slice(1)) {
    const index = piece.indexOf('=');
    if (index < 0) continue;
    if (piece.slice(0, index).trim().toLowerCase() !== name.toLowerCase()) continue;
    return piece.slice(index + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * Splits a `multipart/related` body (RFC 2387 over RFC 2046 §5.1.1; DICOMweb PS3.18 §8.7.3.3.2) into
 * its parts. Binary-safe: parts are found by the delimiter `CRLF--boundary`, never by decoding text.
 * The message's first delimiter may lack the leading CRLF. Throws UPSTREAM.INVALID_RESPONSE on a
 * missing boundary or a body without a closing delimiter.
 */
export function parseMultipartRelated(body: Buffer, contentType: string): BodyPart[] {
  const boundary = mediaTypeParameter(contentType, 'boundary');
  if (!boundary) throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The multipart answer has no boundary');
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // Treat the body as if preceded by CRLF so the first delimiter looks like every other one.
  const data = Buffer.concat([Buffer.from('\r\n'), body]);
  const parts: BodyPart[] = [];
  let position = data.indexOf(delimiter);
  if (position < 0) throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The multipart answer holds no part');
  for (;;) {
    const afterDelimiter = position + delimiter.length;
    if (data.subarray(afterDelimiter, afterDelimiter + 2).toString('latin1') === '--') return parts;
    const headerStart = data.indexOf('\r\n', afterDelimiter);
    const next = data.indexOf(delimiter, afterDelimiter);
    if (headerStart < 0 || next < 0) throw new AppError('UPSTREAM.INVALID_RESPONSE', 'The multipart answer is truncated');
    const headerEnd = data.indexOf('\r\n\r\n', headerStart);
    const headers: Record<string, string> = {};
    let bodyStart = headerStart + 2;
    if (headerEnd >= 0 && headerEnd < next) {
      for (const line of data.subarray(headerStart + 2, headerEnd).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      bodyStart = headerEnd + 4;
    }
    parts.push({ headers, body: data.subarray(bodyStart, next) });
    position = next;
  }
}
