import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as dicomParser from 'dicom-parser';

const run = promisify(execFile);

/** Transfer syntaxes the fixture maker can write. */
export type FixtureTransferSyntax =
  | 'explicit-le'
  | 'implicit-le'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended-12bit'
  | 'jpeg-lossless'
  | 'jpeg-ls-lossless'
  | 'jpeg-ls-near-lossless'
  | 'jpeg2000-lossless'
  | 'jpeg2000';

export type CompressedFixtureSyntax = Exclude<FixtureTransferSyntax, 'explicit-le' | 'implicit-le'>;

export const NATIVE_FIXTURE_SYNTAX_UIDS = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
} as const;

interface Encoder {
  /** Debian package that provides the command (CI installs these). */
  readonly debianPackage: 'dcmtk' | 'libgdcm-tools';
  readonly command: string;
  readonly args: readonly string[];
  readonly lossy: boolean;
  /** LossyImageCompressionMethod (0028,2114) for lossy output. */
  readonly method?: string;
}

/**
 * Real encoders (dcmtk 3.6.7, GDCM) used only to build test fixtures; the decoders under test never shell
 * out. dcmtk's lossy JPEG stretches min–max to the full range unless told `+sr` (scale by the BitsStored
 * range, an identity when it equals the JPEG precision: hence 8 or 12 bits only). GDCM writes 16-bit
 * JPEG 2000 precision for 10/12-bit data; its quality switch is PSNR against that range, so the lossy
 * case uses a fixed compression ratio (`-r 5`) instead. The codestreams are rewrapped by the fixture.
 */
export const FIXTURE_ENCODERS: Readonly<Record<CompressedFixtureSyntax, Encoder>> = {
  rle: { debianPackage: 'dcmtk', command: 'dcmcrle', args: [], lossy: false },
  'jpeg-baseline': { debianPackage: 'dcmtk', command: 'dcmcjpeg', args: ['+eb', '+sr', '+un'], lossy: true, method: 'ISO_10918_1' },
  'jpeg-extended-12bit': { debianPackage: 'dcmtk', command: 'dcmcjpeg', args: ['+ee', '+sr', '+un'], lossy: true, method: 'ISO_10918_1' },
  'jpeg-lossless': { debianPackage: 'dcmtk', command: 'dcmcjpeg', args: ['+e1'], lossy: false },
  'jpeg-ls-lossless': { debianPackage: 'dcmtk', command: 'dcmcjpls', args: ['+el'], lossy: false },
  'jpeg-ls-near-lossless': { debianPackage: 'dcmtk', command: 'dcmcjpls', args: ['+en', '+md', '2', '+un'], lossy: true, method: 'ISO_14495_1' },
  'jpeg2000-lossless': { debianPackage: 'libgdcm-tools', command: 'gdcmconv', args: ['--j2k'], lossy: false },
  jpeg2000: { debianPackage: 'libgdcm-tools', command: 'gdcmconv', args: ['--j2k', '--lossy', '-r', '5'], lossy: true, method: 'ISO_15444_1' },
};

export interface EncodedFrames {
  readonly transferSyntaxUid: string;
  /** One codestream per frame. */
  readonly frames: readonly Uint8Array[];
  readonly lossy: boolean;
  readonly method?: string;
}

function framesOf(output: Uint8Array, frameCount: number): Uint8Array[] {
  const dataSet = dicomParser.parseDicom(output);
  const element = dataSet.elements.x7fe00010;
  const fragments = element?.fragments ?? [];
  if (element === undefined || fragments.length === 0) throw new Error('encoder wrote no encapsulated Pixel Data');
  const copy = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);
  if (frameCount === 1) return [copy(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length))];
  if (fragments.length === frameCount) {
    return fragments.map((_, i) => copy(dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, i, 1)));
  }
  return Array.from({ length: frameCount }, (_, i) => copy(dicomParser.readEncapsulatedImageFrame(dataSet, element, i)));
}

/** Compresses an uncompressed Part 10 file with the CLI encoder and returns its codestreams. */
export async function encodeWithCli(uncompressed: Uint8Array, syntax: CompressedFixtureSyntax, frameCount: number): Promise<EncodedFrames> {
  const encoder = FIXTURE_ENCODERS[syntax];
  const dir = await mkdtemp(join(tmpdir(), 'brixia-fixture-'));
  try {
    const input = join(dir, 'in.dcm');
    const output = join(dir, 'out.dcm');
    await writeFile(input, uncompressed);
    try {
      await run(encoder.command, [...encoder.args, input, output], { timeout: 60_000 });
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`${encoder.command} failed for ${syntax} (Debian package ${encoder.debianPackage} installed?): ${detail}`);
    }
    const bytes = new Uint8Array(await readFile(output));
    const transferSyntaxUid = dicomParser.parseDicom(bytes, { untilTag: 'x00080000' }).string('x00020010') ?? '';
    return { transferSyntaxUid, frames: framesOf(bytes, frameCount), lossy: encoder.lossy, method: encoder.method };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
