import openjpegFactory from '@cornerstonejs/codec-openjpeg/decodewasmjs';
import charlsFactory from '@cornerstonejs/codec-charls/decodewasmjs';
import libjpegTurboFactory from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs';
import { type DecodedSamples, samplesFromBytes } from './decoded-samples';

/**
 * The @cornerstonejs WASM decoders (OpenJPEG, CharLS, libjpeg-turbo). Importing a glue script costs
 * nothing; the WASM module is compiled on first use and then reused. Any decoding failure drops the cached
 * module so the next call starts a fresh one: Emscripten marks a module dead after an abort, and a thrown
 * C++ exception leaks its memory.
 */
type CodecName = 'openjpeg' | 'charls' | 'libjpeg-turbo';

/**
 * Module options: OpenJPEG prints "[INFO]" lines through Emscripten's stdout, and a library must not write
 * to the console. A new object per instantiation: Emscripten makes it the Module and embind registers the
 * decoder class on it, so reusing one object fails with "Cannot register public name … twice".
 */
function quietModuleOptions(): EmscriptenModuleOptions {
  return { print: (): void => undefined, printErr: (): void => undefined };
}

const factories: Readonly<Record<CodecName, () => Promise<new () => CornerstoneWasmDecoder>>> = {
  openjpeg: async () => (await openjpegFactory(quietModuleOptions())).J2KDecoder,
  charls: async () => (await charlsFactory(quietModuleOptions())).JpegLSDecoder,
  'libjpeg-turbo': async () => (await libjpegTurboFactory(quietModuleOptions())).JPEGDecoder,
};

const loaded = new Map<CodecName, Promise<new () => CornerstoneWasmDecoder>>();

function decoderClass(name: CodecName): Promise<new () => CornerstoneWasmDecoder> {
  let pending = loaded.get(name);
  if (pending === undefined) {
    pending = factories[name]();
    loaded.set(name, pending);
    pending.catch(() => loaded.delete(name));
  }
  return pending;
}

async function decodeWith(name: CodecName, encoded: Uint8Array): Promise<DecodedSamples> {
  const Decoder = await decoderClass(name);
  let decoder: CornerstoneWasmDecoder | undefined;
  try {
    decoder = new Decoder();
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const signed = info.isSigned === true;
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      samples: samplesFromBytes(decoder.getDecodedBuffer(), info.bitsPerSample, signed),
      signed,
      convertedToRgb: name === 'libjpeg-turbo' && info.componentCount === 3,
    };
  } catch (error) {
    // C++ exceptions arrive as bare numbers (pointers into WASM memory); give them a readable message.
    loaded.delete(name);
    throw error instanceof Error ? error : new Error(`${name} failed to decode the codestream (${String(error)})`);
  } finally {
    try {
      decoder?.delete();
    } catch {
      // Deleting a decoder of an aborted module throws again; the module is already discarded.
    }
  }
}

/** JPEG 2000 Part 1 codestream or JP2 (PS3.5 A.4.4), lossless or lossy. */
export function decodeJpeg2000(encoded: Uint8Array): Promise<DecodedSamples> {
  return decodeWith('openjpeg', encoded);
}

/** JPEG-LS (ISO 14495-1), lossless or near-lossless. */
export function decodeJpegLs(encoded: Uint8Array): Promise<DecodedSamples> {
  return decodeWith('charls', encoded);
}

/** 8-bit DCT JPEG (baseline and 8-bit extended/progressive). */
export function decodeJpeg8Bit(encoded: Uint8Array): Promise<DecodedSamples> {
  return decodeWith('libjpeg-turbo', encoded);
}
