import { BrixiaResultEntity } from './brixia-result.entity';
import { FhirResourceEntity } from './fhir-resource.entity';
import { ImagingStudyEntity } from './imaging-study.entity';
import { ScoringTaskEntity } from './scoring-task.entity';
import { StoredImageEntity } from './stored-image.entity';

export { BrixiaResultEntity, FhirResourceEntity, ImagingStudyEntity, ScoringTaskEntity, StoredImageEntity };
export type { ScoringBusinessStatus, ScoringTaskStatus } from './scoring-task.entity';

export const ENTITIES = [ImagingStudyEntity, StoredImageEntity, ScoringTaskEntity, BrixiaResultEntity, FhirResourceEntity];
