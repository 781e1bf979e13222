import type { BrixiaScoring, Logger, ModelIdentity } from '@brixia/common';
import type { LungMaskEvidence } from './lung-mask-evidence';

/** Execution providers this service uses: WebGPU (Dawn over Vulkan, on GPU hosts) and the CPU. */
export type ExecutionProviderName = 'webgpu' | 'cpu';

/** Class activation maps of the six heads, zones A..F × scores 0..3, each h × w, in the aligned frame. */
export interface ZoneCams {
  readonly shape: readonly [6, 4, number, number];
  readonly data: Float32Array;
}

/** What the model says about one radiograph. */
export interface ModelOutput extends BrixiaScoring {
  /** Σ_zones Σ_k k·p_k, 0–18. */
  readonly expectedGlobal: number;
  /** Statistics of the lung mask and θ, for the input gate (chest-plausibility.ts); always present. */
  readonly lungMask: LungMaskEvidence;
  /** Only when explanations were asked for. */
  readonly zoneCams?: ZoneCams;
  /** The affine θ of the alignment network, row-major 2×3 (6 numbers); only with explanations. */
  readonly alignment?: readonly number[];
}

export interface ScoreOptions {
  /** Also return zone CAMs and the alignment θ (extra outputs fetched for the batch). */
  readonly withExplanations?: boolean;
}

/** ScoreModel port: scores preprocessed radiographs with one loaded model. */
export interface ScoreModel {
  /** Name, version, SHA-256 of the ONNX file as loaded, preprocessing id. */
  readonly identity: ModelIdentity;
  /** The execution provider that actually runs the model (after any fallback). */
  readonly executionProvider: ExecutionProviderName;
  /**
   * Scores one preprocessed 512×512 image (row-major float32, the output of imaging's
   * preprocessForBsnet). Concurrent calls are micro-batched into one session run.
   * Rejects with REQUEST.INVALID for a wrong input length, INFERENCE.FAILED when the run fails.
   */
  score(input: Float32Array, options?: ScoreOptions): Promise<ModelOutput>;
  /** Finishes the calls already accepted, then releases the session. Later score() calls reject. */
  close(): Promise<void>;
}

export interface ScoreModelOptions {
  /** Folder with manifest.json and the ONNX file; default DEFAULT_MODEL_DIR. */
  readonly modelDir?: string;
  /** Preference order; the first that creates a session wins. Default ['cpu']. */
  readonly executionProviders?: readonly ExecutionProviderName[];
  /** Most images stacked into one session run; default 4. */
  readonly maxBatchSize?: number;
  /** How long the first call of a batch waits for company, in ms; default 2. */
  readonly batchWindowMs?: number;
  /** ONNX Runtime intra-op threads; default: ONNX Runtime's choice (one per core). */
  readonly intraOpNumThreads?: number;
  /** Idle intra-op threads spin for work (ONNX Runtime's default) instead of sleeping; default false. */
  readonly spinWhileWaiting?: boolean;
  /**
   * Run the session in a worker thread (default true), so forward passes never block the caller's
   * event loop; false runs it on the calling thread (benchmarks of the raw session).
   */
  readonly sessionThread?: boolean;
  /**
   * Nice steps below the process for the session thread and the intra-op threads it creates (Linux),
   * so an event loop in the same process preempts inference (docs/operations.md). Default 0.
   */
  readonly sessionThreadNice?: number;
  /**
   * On the CPU provider, fold int8 weights back to float32 once at session creation instead of
   * running ONNX Runtime's integer kernels. Default: see DEFAULT_CPU_DEQUANTIZE_WEIGHTS. No effect on
   * float32 models or on WebGPU.
   */
  readonly dequantizeWeightsOnCpu?: boolean;
  readonly logger?: Logger;
  /** Called after each session run (metrics: inference latency and batch size). */
  readonly onBatch?: (batch: { readonly batchSize: number; readonly durationMs: number; readonly failed: boolean }) => void;
}
