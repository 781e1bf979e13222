import type { BrixiaScoring, ModelIdentity } from '@brixia/common';
import type { FhirConfig } from '../config';
import type { ScoringTaskInput } from '../scoring-task';

/** A config as in development. */
export const sampleFhirConfig: FhirConfig = { baseUrl: 'http://localhost:3000/fhir', canonicalBase: 'https://brixia.example.org/fhir' };

/** A model identity with a well-formed (fake) ONNX hash. */
export const sampleModel: ModelIdentity = {
  name: 'bsnet',
  version: '0.1.0',
  sha256: 'a3f1c2d4e5b60718293a4b5c6d7e8f90123456789abcdef0123456789abcdef0',
  preprocessingId: 'bsnet-equalize-4096-v1',
};

/**
 * A scoring A2 B1 C2 D1 E1 F2 (global 9) whose probabilities peak on each zone's score, so tests
 * can check both the score and the vector that came with it.
 */
export const sampleScoring: BrixiaScoring = {
  zones: { A: 2, B: 1, C: 2, D: 1, E: 1, F: 2 },
  global: 9,
  probabilities: {
    A: [0.05, 0.15, 0.7, 0.1],
    B: [0.1, 0.6, 0.25, 0.05],
    C: [0.02, 0.18, 0.55, 0.25],
    D: [0.2, 0.65, 0.1, 0.05],
    E: [0.15, 0.5, 0.3, 0.05],
    F: [0.01, 0.09, 0.8, 0.1],
  },
};

/** A requested scoring Task's input (fractional-second lastModified exercises instant formatting). */
export const sampleScoringTaskInput: ScoringTaskInput = {
  id: 'task-1',
  status: 'requested',
  businessStatus: 'queued',
  imagingStudyId: 'study-1',
  patientId: 'patient-1',
  authoredOn: '2020-03-14T10:00:00Z',
  lastModified: '2020-03-14T10:00:05.250Z',
  identifier: { system: 'https://brixia.example.org/fhir/identifiers/scoring-request', value: 'abc:0.1.0' },
  requestId: 'req-1',
};
