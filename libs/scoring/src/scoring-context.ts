import type { Clock, Logger } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import type { ScoreModel } from '@brixia/inference';
import type { ScoringStore } from '@brixia/persistence';
import type { TaskCompletionNotifier } from './task-completion';

/** What the scoring use cases need, wired by the app (composition root). */
export interface ScoringContext {
  readonly store: ScoringStore;
  readonly fhir: FhirConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly completions: TaskCompletionNotifier;
  /** Model identity for dedupe keys and Device; the model itself is only needed by the worker. */
  readonly model: Pick<ScoreModel, 'identity'>;
  /** Used for timestamps without an explicit offset in DICOM headers. */
  readonly defaultTimezoneOffset: string;
}
