import { JpegImage } from 'daikon/lib/jpeg-baseline.js';
// The package root is typed as ESM; its CommonJS build carries its own .d.cts.
import { Decoder as LosslessJpegDecoder } from '@cornerstonejs/jpeg-lossless-decoder-js/release/cjs/lossless.cjs';
import { imagingError } from '../../imaging.errors';
import { type JpegFrameHeader, readJpegFrameHeader, withoutFillBytes } from '../../jpeg-header';
import type { DecodedSamples } from './decoded-samples';
import { decodeJpeg8Bit, decodeJpegLs } from './wasm-codecs';

function decodeLossless(encoded: Uint8Array, header: JpegFrameHeader): DecodedSamples {
  const decoder = new LosslessJpegDecoder();
  const own = new Uint8Array(encoded); // an ArrayBuffer of its own (the input may be a view into the file)
  const samples = decoder.decode(own.buffer, 0, own.length);
  return { width: header.width, height: header.height, components: decoder.numComp, samples, signed: false };
}

/**
 * The pdf.js-derived decoder scales its 8-bit level shift by 4095/255 for 12-bit data: it adds
 * 2056·4095/255 = 33016.5 where 2048·16 + 8 = 32776 is right (pdf.js works in 1/16 steps), so every output
 * is exactly 15 too high (IDCT values are integers: ⌊a + 15 + 1/32⌋ = ⌊a⌋ + 15). Removing that offset
 * restores the true samples, except that values within 15 of 4095 stay saturated at 4080. Measured on WG04
 * RG3_JPLY against its uncompressed original: mean error 15.5 → 1.76 stored levels (max 61 → 48), the same
 * as dcmtk's own decoder (1.77, max 48).
 * The package is pinned; the fixture tests catch a version that fixes the bug.
 */
const PDFJS_12BIT_OFFSET = 15;

function decodeExtended12Bit(encoded: Uint8Array): DecodedSamples {
  const decoder = new JpegImage();
  decoder.parse(withoutFillBytes(encoded));
  if (decoder.components.length !== 1) throw new Error('12-bit colour JPEG is not supported');
  const samples = decoder.getData16(decoder.width, decoder.height);
  for (let i = 0; i < samples.length; i++) samples[i] = samples[i] > PDFJS_12BIT_OFFSET ? samples[i] - PDFJS_12BIT_OFFSET : 0;
  return { width: decoder.width, height: decoder.height, components: 1, samples, signed: false };
}

/**
 * JPEG processes used by DICOM (PS3.5 A.4.1): 8-bit DCT → libjpeg-turbo; 12-bit DCT (process 4) → the
 * pdf.js-derived decoder shipped by daikon (libjpeg-turbo's WASM build is 8-bit only); lossless process 14
 * → @cornerstonejs/jpeg-lossless-decoder-js (the fork fixes upstream 2.1.2 dropping the last sample of
 * dcmtk streams whose final code ends on a byte boundary); a JPEG-LS stream mislabelled as JPEG → CharLS.
 */
export async function decodeJpegFamily(encoded: Uint8Array): Promise<DecodedSamples> {
  const header = readJpegFrameHeader(encoded);
  if (header === undefined) throw imagingError('IMAGING.UNREADABLE', 'The JPEG codestream has no frame header');
  const { sof, precision } = header;
  if (sof === 0xf7) return decodeJpegLs(encoded);
  if (sof === 0xc3) return decodeLossless(encoded, header);
  if ((sof === 0xc0 || sof === 0xc1 || sof === 0xc2) && precision === 8) return decodeJpeg8Bit(encoded);
  if ((sof === 0xc0 || sof === 0xc1 || sof === 0xc2) && precision === 12) return decodeExtended12Bit(encoded);
  throw imagingError('IMAGING.UNSUPPORTED_TRANSFER_SYNTAX', 'This JPEG process is not supported', undefined, {
    sofMarker: `0xFF${sof.toString(16).toUpperCase()}`,
    precision,
  });
}
