import { AppError, silentLogger, type Logger, type ModelIdentity } from '@brixia/common';
import * as ort from 'onnxruntime-node';
import { checkOnnxMetadata, checkSessionSignature, tensorLayout, type BsnetTensorLayout } from './model-contract';
import { DEFAULT_MODEL_DIR, readVerifiedModelFiles, type BsnetOutputName, type ModelManifest } from './model-manifest';
import { readOnnxModelMetadata } from './onnx-metadata';
import type { ExecutionProviderName } from './score-model.port';

/**
 * Whether the CPU provider gets `session.disable_quant_qdq = 1` by default. With it, ONNX Runtime's
 * constant folding turns DequantizeLinear(int8 initializer) into float32 weights once at session
 * creation; without it the exported int8 weights are dequantised again on every run (or fused into
 * integer kernels, which shared/device/README.md "Int8 weight-only models" found slower on the CPU).
 * bench/ort-session.bench.ts on the 0.1.0 export (2 cores): faster at every batch size, identical
 * zone_probs, about 100–150 ms more session creation. No effect on float32 models.
 */
export const DEFAULT_CPU_DEQUANTIZE_WEIGHTS = true;

export interface BsnetSessionOptions {
  readonly modelDir?: string;
  /** Preference order; the CPU is always the last resort. Default ['cpu']. */
  readonly executionProviders?: readonly ExecutionProviderName[];
  readonly intraOpNumThreads?: number;
  readonly dequantizeWeightsOnCpu?: boolean;
  /** Let idle intra-op threads spin for work (ONNX Runtime's default). Default false: see sessionOptions. */
  readonly spinWhileWaiting?: boolean;
  readonly logger?: Logger;
}

/** One output of a run: dimensions and a float32 copy-free view of the data. */
export interface BsnetTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/**
 * A checked onnxruntime session for the BS-Net export: the ScoreModel adapter batches on top of it,
 * and bench/ort-session.bench.ts times it raw.
 */
export interface BsnetSession {
  readonly identity: ModelIdentity;
  readonly manifest: ModelManifest;
  readonly layout: BsnetTensorLayout;
  readonly executionProvider: ExecutionProviderName;
  /**
   * Runs `batchSize` stacked images (batchSize × layout.inputSize values), fetching only `outputs`.
   * With `transferInput` the caller gives the batch up (a session in a worker thread moves its buffer
   * instead of copying it; the caller's array is detached afterwards).
   */
  run(
    batch: Float32Array,
    batchSize: number,
    outputs: readonly BsnetOutputName[],
    options?: { readonly transferInput?: boolean },
  ): Promise<Partial<Record<BsnetOutputName, BsnetTensor>>>;
  release(): Promise<void>;
}

function providerOrder(requested: readonly ExecutionProviderName[] | undefined): ExecutionProviderName[] {
  const order = [...new Set(requested && requested.length > 0 ? requested : ['cpu' as const])];
  // ONNX Runtime keeps the CPU as a silent fallback anyway; making it explicit lets us log it.
  if (!order.includes('cpu')) order.push('cpu');
  return order;
}

/** The session options for one provider (exported for its spec). */
export function sessionOptions(provider: ExecutionProviderName, options: BsnetSessionOptions): ort.InferenceSession.SessionOptions {
  const dequantize = provider === 'cpu' && (options.dequantizeWeightsOnCpu ?? DEFAULT_CPU_DEQUANTIZE_WEIGHTS);
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    // The Node binding flattens `extra` into session config keys ("session.disable_quant_qdq").
    extra: {
      session: {
        ...(dequantize ? { disable_quant_qdq: '1' } : {}),
        // An intra-op thread that runs out of work spins for the others by default. Beside HTTP, decoding and
        // the database on the same cores a spinning thread burns a core that the thread it waits for (preempted)
        // needs, so the service turns spinning off (measured in bench/service-overhead.bench.ts).
        ...(options.spinWhileWaiting === true ? {} : { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' }),
      },
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function createWithFallback(
  bytes: Uint8Array,
  options: BsnetSessionOptions,
  logger: Logger,
): Promise<{ session: ort.InferenceSession; provider: ExecutionProviderName }> {
  const order = providerOrder(options.executionProviders);
  let lastError: unknown;
  for (const [i, provider] of order.entries()) {
    try {
      return { session: await ort.InferenceSession.create(bytes, sessionOptions(provider, options)), provider };
    } catch (error) {
      lastError = error;
      const next = order[i + 1];
      if (next !== undefined) {
        logger.warn(
          { executionProvider: provider, fallbackProvider: next, reason: errorMessage(error) },
          `execution provider ${provider} unavailable, falling back to ${next}`,
        );
      }
    }
  }
  throw new AppError('INFERENCE.MODEL_INVALID', `Could not create an ONNX Runtime session (${order.join(', ')})`, { cause: lastError });
}

/**
 * Reads and verifies the model folder (manifest, SHA-256, ONNX metadata), creates the session on the
 * first execution provider that works, and checks the session's inputs and outputs against the manifest.
 */
export async function openBsnetSession(options: BsnetSessionOptions = {}): Promise<BsnetSession> {
  const logger = options.logger ?? silentLogger;
  const files = await readVerifiedModelFiles(options.modelDir ?? DEFAULT_MODEL_DIR);
  const { manifest, identity } = files;
  const layout = tensorLayout(manifest);
  checkOnnxMetadata(manifest, readOnnxModelMetadata(files.onnxBytes));
  const { session, provider } = await createWithFallback(files.onnxBytes, options, logger);
  try {
    checkSessionSignature(manifest, session.inputMetadata, session.outputMetadata);
  } catch (error) {
    await session.release();
    throw error;
  }
  return {
    identity,
    manifest,
    layout,
    executionProvider: provider,
    async run(batch, batchSize, outputs) {
      if (batch.length !== batchSize * layout.inputSize) {
        throw new AppError('REQUEST.INVALID', `A batch of ${batchSize} needs ${batchSize * layout.inputSize} values, got ${batch.length}`);
      }
      const feed = new ort.Tensor('float32', batch, [batchSize, ...layout.inputImageDims]);
      const result = await session.run({ [layout.inputName]: feed }, outputs);
      const tensors: Partial<Record<BsnetOutputName, BsnetTensor>> = {};
      for (const name of outputs) {
        const value = result[name] as ort.Tensor | undefined;
        if (value === undefined || !(value.data instanceof Float32Array) || value.dims[0] !== batchSize) {
          throw new AppError('INFERENCE.FAILED', `The model returned no float32 "${name}" for the batch`);
        }
        tensors[name] = { dims: value.dims, data: value.data };
      }
      return tensors;
    },
    release: () => session.release(),
  };
}
