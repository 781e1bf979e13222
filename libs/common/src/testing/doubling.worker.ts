import { serveWorkerRequests, wholeBuffers } from '../worker-protocol';
import { currentThreadNice } from '../worker-thread';
import { AppError } from '../errors';

// Fixture worker for worker-thread.spec.ts: doubles a Float32Array, fails or dies on request.
serveWorkerRequests<{ op: 'double' | 'fail' | 'die'; values?: Float32Array }, Float32Array, null>(
  async () => ({ state: null, info: { pid: process.pid, nice: currentThreadNice() } }),
  async (_state, request) => {
    if (request.op === 'die') process.exit(3);
    if (request.op === 'fail') throw new AppError('REQUEST.INVALID', 'asked to fail', { details: { why: 'test' } });
    const out = (request.values ?? new Float32Array()).map((v) => v * 2);
    return { value: out, transfer: wholeBuffers(out) };
  },
);
