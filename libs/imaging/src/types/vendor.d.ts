// Types for the untyped decoder packages, limited to the members this library calls.

/** Frame description returned by the @cornerstonejs WASM decoders. */
interface CornerstoneFrameInfo {
  readonly width: number;
  readonly height: number;
  readonly bitsPerSample: number;
  readonly componentCount: number;
  readonly isSigned?: boolean;
}

/** The embind decoder classes of @cornerstonejs/codec-*: copy the input in, decode, read the output view. */
interface CornerstoneWasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): CornerstoneFrameInfo;
  delete(): void;
}

interface EmscriptenModuleOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: EmscriptenModuleOptions) => Promise<{ J2KDecoder: new () => CornerstoneWasmDecoder }>;
  export = factory;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: EmscriptenModuleOptions) => Promise<{ JpegLSDecoder: new () => CornerstoneWasmDecoder }>;
  export = factory;
}

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: EmscriptenModuleOptions) => Promise<{ JPEGDecoder: new () => CornerstoneWasmDecoder }>;
  export = factory;
}

declare module 'daikon/lib/jpeg-baseline.js' {
  /** pdf.js-derived DCT decoder (Apache-2.0) that keeps 12-bit precision; used for JPEG extended. */
  export class JpegImage {
    width: number;
    height: number;
    components: unknown[];
    parse(data: Uint8Array): void;
    getData16(width: number, height: number): Uint16Array;
  }
}

declare module 'dcmjs' {
  /** dcmjs Part 10 writing (fixtures only): naturalized keyword datasets → tagged dictionaries → bytes. */
  export const data: {
    DicomMetaDictionary: { denaturalizeDataset(dataset: Readonly<Record<string, unknown>>): Record<string, unknown> };
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
  };
}
