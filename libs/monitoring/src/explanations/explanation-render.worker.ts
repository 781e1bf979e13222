import { workerData } from 'node:worker_threads';
import { serveWorkerRequests } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import { renderExplanationImages, type ExplanationImages, type ExplanationRequest } from './explanation-images';

// Worker-thread entry of startExplanationRenderPool: renders one result's overlays per request.
serveWorkerRequests<ExplanationRequest, ExplanationImages, FhirConfig>(
  async () => ({ state: workerData as FhirConfig, info: null }),
  async (fhir, request) => ({ value: await renderExplanationImages(fhir, request) }),
);
