import * as path from 'node:path';
import { silentLogger, WorkerPool, type Logger } from '@brixia/common';
import { decodeRadiograph } from '../decode-radiograph';
import { assertScorableRadiograph } from '../input-gate';
import { preprocessForBsnet } from '../preprocess/bsnet-preprocess';
import type { DecodedRadiograph, DecodeOptions } from '../radiograph.types';

/** A decoded radiograph and its BS-Net input tensor (bsnet-v1, 512×512 float32). */
export interface PreparedRadiograph {
  readonly decoded: DecodedRadiograph;
  readonly input: Float32Array;
}

/**
 * Port: bytes → decoded grey image + model input (the CPU-heavy part of a job before inference). The input gate
 * (README.md, "Input gate") runs between decoding and preprocessing: a refused image is rejected with
 * IMAGING.NOT_FRONTAL or IMAGE.NOT_A_CHEST_RADIOGRAPH and never preprocessed.
 */
export interface RadiographPreparer {
  prepare(bytes: Uint8Array, options?: DecodeOptions): Promise<PreparedRadiograph>;
  /** Requests waiting for a free decoder (0 in-process). */
  readonly queued: number;
  close(): Promise<void>;
}

/** Decode + gate + preprocess on the calling thread (CLIs, tests that want no threads). */
export function inProcessPreparer(): RadiographPreparer {
  return {
    async prepare(bytes, options) {
      const decoded = await decodeRadiograph(bytes, options);
      assertScorableRadiograph(decoded);
      return { decoded, input: preprocessForBsnet(decoded.image) };
    },
    queued: 0,
    close: async () => undefined,
  };
}

export interface PrepareRequest {
  readonly bytes: Uint8Array;
  readonly options?: DecodeOptions;
}

export interface PreparerPoolOptions {
  /** Decoder threads; each decodes one image at a time. */
  readonly threads: number;
  readonly logger?: Logger;
  /** Nice steps below the process for the decoder threads (Linux), so the event loop preempts them. */
  readonly niceIncrement?: number;
}

/**
 * Decode + preprocess in worker threads: DICOM codecs (WASM), sharp's PNG/JPEG decode and the
 * area resample run there, so a job's preparation overlaps another job's inference and never blocks
 * the event loop. The image bytes are copied in (the caller may still need them); the decoded pixels
 * and the tensor move back without a copy. Errors keep their IMAGING.* codes.
 */
export async function startPreparerPool(options: PreparerPoolOptions): Promise<RadiographPreparer> {
  const pool = await WorkerPool.start<PrepareRequest, PreparedRadiograph>({
    entry: path.join(__dirname, `radiograph-preparer.worker${path.extname(__filename)}`),
    size: options.threads,
    name: 'radiograph-preparer',
    logger: options.logger ?? silentLogger,
    niceIncrement: options.niceIncrement,
  });
  return {
    prepare: (bytes, decodeOptions) => pool.run({ bytes, options: decodeOptions }),
    get queued(): number {
      return pool.queued;
    },
    close: () => pool.close(),
  };
}
