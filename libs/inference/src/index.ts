export type { ExecutionProviderName, ModelOutput, ScoreModel, ScoreModelOptions, ScoreOptions, ZoneCams } from './score-model.port';
export {
  BSNET_OUTPUT_NAMES,
  DEFAULT_MODEL_DIR,
  parseModelManifest,
  readModelManifest,
  type BsnetOutputName,
  type ModelManifest,
  type ShapeDim,
  type TensorShape,
} from './model-manifest';
export { decodeZoneProbabilities, expectedGlobalScore, ZONE_DECISIONS, type ZoneDecision } from './zone-decoding';
export { loadOrtScoreModel } from './ort-score-model.adapter';
export {
  DEFAULT_CPU_DEQUANTIZE_WEIGHTS,
  openBsnetSession,
  type BsnetSession,
  type BsnetSessionOptions,
  type BsnetTensor,
} from './ort-session.adapter';
export { openThreadedBsnetSession } from './session-thread/threaded-session';
export type { BsnetTensorLayout } from './model-contract';
export { lungMaskEvidence, MASK_THRESHOLD, type LungComponent, type LungMaskEvidence } from './lung-mask-evidence';
export {
  assertChestRadiograph,
  chestPlausibilityProblems,
  CHEST_PLAUSIBILITY,
  type ChestPlausibilityThresholds,
  type PlausibilityProblem,
} from './chest-plausibility';
