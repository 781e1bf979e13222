import * as path from 'node:path';
import { silentLogger, wholeBuffers, WorkerPool, type ModelIdentity } from '@brixia/common';
import type { BsnetTensorLayout } from '../model-contract';
import type { BsnetOutputName, ModelManifest } from '../model-manifest';
import type { BsnetSession, BsnetSessionOptions, BsnetTensor } from '../ort-session.adapter';
import type { ExecutionProviderName } from '../score-model.port';

/** What the session thread reports once its session exists. */
export interface SessionThreadInfo {
  readonly identity: ModelIdentity;
  readonly manifest: ModelManifest;
  readonly layout: BsnetTensorLayout;
  readonly executionProvider: ExecutionProviderName;
}

export interface SessionRunRequest {
  readonly batch: Float32Array;
  readonly batchSize: number;
  readonly outputs: readonly BsnetOutputName[];
}

type RunResult = Partial<Record<BsnetOutputName, BsnetTensor>>;

/** The worker entry beside this file: the .ts source in development and tests, the .js in dist/. */
function workerEntry(): string {
  return path.join(__dirname, `ort-session.worker${path.extname(__filename)}`);
}

/**
 * A BsnetSession whose onnxruntime session lives in a worker thread. The main thread only stacks
 * inputs and decodes the 24 probabilities per image; the forward pass (hundreds of ms on the CPU)
 * no longer blocks HTTP, GraphQL or queue work. The batch moves to the thread when the caller gives
 * it up (`transferInput`), otherwise it is copied (1 MiB per image, well under a millisecond).
 */
export async function openThreadedBsnetSession(options: BsnetSessionOptions = {}, niceIncrement = 0): Promise<BsnetSession> {
  const { logger = silentLogger, ...sessionOptions } = options;
  const pool = await WorkerPool.start<SessionRunRequest, RunResult, SessionThreadInfo>({
    entry: workerEntry(),
    size: 1,
    workerData: sessionOptions,
    name: 'bsnet-session',
    logger,
    // Before the session exists, so ONNX Runtime's intra-op threads inherit the lower priority.
    niceIncrement,
  });
  const info = pool.readyInfo;
  return {
    ...info,
    run: (batch, batchSize, outputs, runOptions) =>
      pool.run({ batch, batchSize, outputs: [...outputs] }, runOptions?.transferInput === true ? wholeBuffers(batch) : []),
    release: () => pool.close(),
  };
}
