import { parentLogger, serveWorkerRequests, wholeBuffers } from '@brixia/common';
import { workerData } from 'node:worker_threads';
import type { BsnetOutputName } from '../model-manifest';
import { openBsnetSession, type BsnetSession, type BsnetSessionOptions, type BsnetTensor } from '../ort-session.adapter';
import type { SessionRunRequest, SessionThreadInfo } from './threaded-session';

// Worker-thread entry: owns one onnxruntime session, so session creation and every run (which block
// their calling thread for the whole forward pass) stay off the service's event loop.
serveWorkerRequests<SessionRunRequest, Partial<Record<BsnetOutputName, BsnetTensor>>, BsnetSession>(
  async () => {
    const session = await openBsnetSession({ ...(workerData as Omit<BsnetSessionOptions, 'logger'>), logger: parentLogger() });
    const info: SessionThreadInfo = {
      identity: session.identity,
      manifest: session.manifest,
      layout: session.layout,
      executionProvider: session.executionProvider,
    };
    return { state: session, info };
  },
  async (session, request) => {
    const result = await session.run(request.batch, request.batchSize, request.outputs);
    // Output tensors are fresh buffers of this thread: move them to the caller instead of copying.
    return { value: result, transfer: wholeBuffers(...Object.values(result).map((tensor) => tensor.data)) };
  },
);
