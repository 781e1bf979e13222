import { CreateScoringTables1764230400000 } from './1764230400000-create-scoring-tables';
import { CreateMonitoringTables1764253800000 } from './1764253800000-create-monitoring-tables';
import { CreateOutboxTable1764262800000 } from './1764262800000-create-outbox-table';
import { CreateSubscriptionTables1764266400000 } from './1764266400000-create-subscription-tables';
import { AddOutboxRevisions1764273600000 } from './1764273600000-add-outbox-revisions';
import { KeyResultsByPatient1764280000000 } from './1764280000000-key-results-by-patient';
import { CreateAuditEventTable1764290000000 } from './1764290000000-create-audit-event-table';
import { CreateResourceHistory1764300000000 } from './1764300000000-create-resource-history';
import { RankStudyInstances1764310000000 } from './1764310000000-rank-study-instances';
import { DropUnusedAuditIndexes1764320000000 } from './1764320000000-drop-unused-audit-indexes';

/** Every migration in order; the only way the schema changes (run at start-up). */
export const MIGRATIONS = [
  CreateScoringTables1764230400000,
  CreateMonitoringTables1764253800000,
  CreateOutboxTable1764262800000,
  CreateSubscriptionTables1764266400000,
  AddOutboxRevisions1764273600000,
  KeyResultsByPatient1764280000000,
  CreateAuditEventTable1764290000000,
  CreateResourceHistory1764300000000,
  RankStudyInstances1764310000000,
  DropUnusedAuditIndexes1764320000000,
];
