import { performance } from 'node:perf_hooks';
import { AppError, isAppError, silentLogger, type Logger, type ModelIdentity } from '@brixia/common';
import { MicroBatcher } from './micro-batcher';
import type { BsnetOutputName } from './model-manifest';
import { openBsnetSession, type BsnetSession } from './ort-session.adapter';
import { openThreadedBsnetSession } from './session-thread/threaded-session';
import type { ExecutionProviderName, ModelOutput, ScoreModel, ScoreModelOptions, ScoreOptions } from './score-model.port';
import { lungMaskEvidence } from './lung-mask-evidence';
import { decodeZoneProbabilities, expectedGlobalScore } from './zone-decoding';

const DEFAULT_MAX_BATCH_SIZE = 4;
const DEFAULT_BATCH_WINDOW_MS = 2;
const ALIGNMENT_VALUES = 6;

interface ScoreRequest {
  readonly input: Float32Array;
  readonly withExplanations: boolean;
}

function positiveInteger(value: number | undefined, fallback: number, key: string): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < 1) throw new AppError('CONFIG.INVALID', `${key} must be a positive integer`);
  return resolved;
}

/** ScoreModel on an onnxruntime session: validates inputs, micro-batches, decodes zone_probs. */
export class OrtScoreModel implements ScoreModel {
  private readonly batcher: MicroBatcher<ScoreRequest, ModelOutput>;
  private closed = false;

  constructor(
    private readonly session: BsnetSession,
    options: { maxBatchSize: number; batchWindowMs: number },
    private readonly logger: Logger,
    private readonly onBatch: ScoreModelOptions['onBatch'] = undefined,
  ) {
    this.batcher = new MicroBatcher((items) => this.runBatch(items), options);
  }

  get identity(): ModelIdentity {
    return this.session.identity;
  }

  get executionProvider(): ExecutionProviderName {
    return this.session.executionProvider;
  }

  async score(input: Float32Array, options: ScoreOptions = {}): Promise<ModelOutput> {
    if (this.closed) throw new AppError('INFERENCE.FAILED', 'The model has been closed');
    const expected = this.session.layout.inputSize;
    if (!(input instanceof Float32Array) || input.length !== expected) {
      throw new AppError('REQUEST.INVALID', `A preprocessed image must be a Float32Array of ${expected} values`);
    }
    // NaN/Infinity would flow through softmax into NaN probabilities and an arg-max of 0: refuse them.
    for (let i = 0; i < input.length; i++) {
      if (!Number.isFinite(input[i])) throw new AppError('REQUEST.INVALID', 'The preprocessed image holds non-finite values');
    }
    return this.batcher.submit({ input, withExplanations: options.withExplanations === true });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.batcher.drain();
    await this.session.release();
  }

  private async runBatch(items: readonly ScoreRequest[]): Promise<ModelOutput[]> {
    const { inputSize, camSize } = this.session.layout;
    const n = items.length;
    let stacked = items[0].input;
    if (n > 1) {
      stacked = new Float32Array(n * inputSize);
      items.forEach((item, i) => stacked.set(item.input, i * inputSize));
    }
    const explain = items.some((item) => item.withExplanations);
    // The lung mask and θ feed the input gate's plausibility check on every image; the CAMs cost copies
    // and are only fetched when asked for.
    const outputs: BsnetOutputName[] = explain ? ['zone_probs', 'lung_mask', 'alignment', 'zone_cams'] : ['zone_probs', 'lung_mask', 'alignment'];
    const started = performance.now();
    let result: Awaited<ReturnType<BsnetSession['run']>>;
    try {
      // A stack built here belongs to nobody else: it may move to the session thread.
      result = await this.session.run(stacked, n, outputs, { transferInput: n > 1 });
    } catch (cause) {
      this.onBatch?.({ batchSize: n, durationMs: performance.now() - started, failed: true });
      this.logger.error({ batchSize: n, reason: cause instanceof Error ? cause.message : String(cause) }, 'session run failed');
      throw isAppError(cause) && cause.code === 'INFERENCE.FAILED' ? cause : new AppError('INFERENCE.FAILED', 'Model inference failed', { cause });
    }
    const durationMs = Math.round(performance.now() - started);
    this.onBatch?.({ batchSize: n, durationMs: performance.now() - started, failed: false });
    this.logger.debug({ batchSize: n, durationMs, outputs, executionProvider: this.executionProvider }, 'session run');
    const zoneProbs = result.zone_probs?.data ?? new Float32Array();
    const camsPerImage = 6 * 4 * camSize[0] * camSize[1];
    const mask = result.lung_mask;
    const alignment = result.alignment?.data;
    if (mask === undefined || alignment === undefined) throw new AppError('INFERENCE.FAILED', 'The model returned no lung mask or alignment');
    const [maskHeight, maskWidth] = [mask.dims[2], mask.dims[3]];
    const maskPerImage = maskHeight * maskWidth;
    return items.map((item, i) => {
      const scoring = decodeZoneProbabilities(zoneProbs, i, this.session.manifest.zoneDecision);
      const theta = alignment.subarray(i * ALIGNMENT_VALUES, (i + 1) * ALIGNMENT_VALUES);
      const lungMask = lungMaskEvidence(mask.data.subarray(i * maskPerImage, (i + 1) * maskPerImage), maskWidth, maskHeight, theta);
      const cams = result.zone_cams?.data;
      if (!item.withExplanations || cams === undefined) {
        return { ...scoring, expectedGlobal: expectedGlobalScore(scoring.probabilities), lungMask };
      }
      return {
        ...scoring,
        expectedGlobal: expectedGlobalScore(scoring.probabilities),
        lungMask,
        zoneCams: { shape: [6, 4, camSize[0], camSize[1]] as const, data: cams.slice(i * camsPerImage, (i + 1) * camsPerImage) },
        alignment: Array.from(theta),
      };
    });
  }
}

/**
 * Creates the session; validates session inputs/outputs and metadata (preprocessing_id, zone_order)
 * against the manifest (fail fast: INFERENCE.MODEL_INVALID); tries providers in order, falling back
 * (e.g. webgpu → cpu) with a warn log saying why; logs one info line
 * {executionProvider, modelVersion, sha256, durationMs}.
 */
export async function loadOrtScoreModel(options: ScoreModelOptions = {}): Promise<ScoreModel> {
  const logger = options.logger ?? silentLogger;
  const batching = {
    maxBatchSize: positiveInteger(options.maxBatchSize, DEFAULT_MAX_BATCH_SIZE, 'maxBatchSize'),
    batchWindowMs: options.batchWindowMs ?? DEFAULT_BATCH_WINDOW_MS,
  };
  if (!(batching.batchWindowMs >= 0)) throw new AppError('CONFIG.INVALID', 'batchWindowMs must be zero or more');
  const started = performance.now();
  const sessionOptions = {
    modelDir: options.modelDir,
    executionProviders: options.executionProviders,
    intraOpNumThreads: options.intraOpNumThreads,
    spinWhileWaiting: options.spinWhileWaiting,
    dequantizeWeightsOnCpu: options.dequantizeWeightsOnCpu,
    logger,
  };
  const session = options.sessionThread === false ? await openBsnetSession(sessionOptions) : await openThreadedBsnetSession(sessionOptions, options.sessionThreadNice);
  logger.info(
    {
      executionProvider: session.executionProvider,
      sessionThread: options.sessionThread !== false,
      sessionThreadNice: options.sessionThread === false ? 0 : (options.sessionThreadNice ?? 0),
      intraOpNumThreads: options.intraOpNumThreads ?? 'onnxruntime default',
      spinWhileWaiting: options.spinWhileWaiting === true,
      modelVersion: session.identity.version,
      sha256: session.identity.sha256,
      durationMs: Math.round(performance.now() - started),
    },
    'model loaded',
  );
  return new OrtScoreModel(session, batching, logger, options.onBatch);
}
