export { acquisitionProblems, pixelDescriptionProblems, CHEST_BODY_PARTS, type GateProblem } from './acquisition-rules';
export { imageProblems, greyStdDev, IMAGE_RULES } from './image-rules';
export { assertAcceptableAcquisition, assertScorableRadiograph, notAChestRadiograph } from './radiograph-gate';
