import type { Clock, Logger } from '@brixia/common';
import type { FhirConfig } from '@brixia/fhir';
import type { RadiographPreparer } from '@brixia/imaging';
import type { ScoreModel } from '@brixia/inference';
import type { ScoringStore } from '@brixia/persistence';
import type { TaskCompletionNotifier } from './task-completion';
import type { ExternalImagingContext } from './external-imaging';
import type { SubscriptionsContext } from './subscriptions/subscriptions-context';
import type { ExplanationRenderer } from './explain-result';
import type { DeferredExplanations } from './deferred-explanations';
import type { UploadHandoff } from './upload-handoff';

/** Stages of a scoring job, as timed for the metrics. */
export type ScoringStage = 'fetch' | 'prepare' | 'inference' | 'store' | 'explain' | 'total';

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
  /** How far ahead of this service's clock an acquisition time may lie (BRIXIA_MAX_FUTURE_SKEW_S). */
  readonly maxFutureSkewSeconds: number;
  /** EHR + PACS integration; absent when no EHR/PACS is configured. */
  readonly external?: ExternalImagingContext;
  /** FHIR Subscriptions (R5 Backport); absent when no subscriber endpoint is allowed. */
  readonly subscriptions?: SubscriptionsContext;
  /** Decode + preprocess for jobs (worker threads in the service); absent: on the calling thread. */
  readonly preparer?: RadiographPreparer;
  /** Uploads recorded by this process, handed to its worker (role `all`); absent: jobs read the stored image. */
  readonly uploadHandoff?: UploadHandoff;
  /** Called with each stage's duration of a scoring job (metrics). */
  readonly observeStage?: (stage: ScoringStage, durationMs: number) => void;
  /** Heat-map overlays published with each result; absent when explanations are off. */
  readonly explanations?: ExplanationRenderer;
  /** Present: the overlays are rendered after the job, once scoring is idle (deferred-explanations.ts); absent: in the job. */
  readonly deferredExplanations?: DeferredExplanations;
}
