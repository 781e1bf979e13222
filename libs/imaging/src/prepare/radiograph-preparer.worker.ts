import { serveWorkerRequests, wholeBuffers } from '@brixia/common';
import { inProcessPreparer, type PreparedRadiograph, type PrepareRequest } from './radiograph-preparer';

// Worker-thread entry of startPreparerPool: decodes and preprocesses one image per request.
serveWorkerRequests<PrepareRequest, PreparedRadiograph, ReturnType<typeof inProcessPreparer>>(
  async () => ({ state: inProcessPreparer(), info: null }),
  async (preparer, request) => {
    const prepared = await preparer.prepare(request.bytes, request.options);
    return { value: prepared, transfer: wholeBuffers(prepared.input, prepared.decoded.image.pixels) };
  },
);
