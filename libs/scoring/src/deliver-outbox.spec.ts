import { retryDelayMs, silentLogger } from '@brixia/common';
import type { OutboxMessageRecord } from '@brixia/persistence';
import { deliverOutboxMessage, type OutboxDeliveryStore, type PublicationDirectory } from './deliver-outbox.use-case';

describe('retryDelayMs (outbox defaults)', () => {
  const policy = { maxAttempts: Infinity, retryPeriodMs: 48 * 3_600_000, baseDelayMs: 5000, maxDelayMs: 1_800_000 };

  it('doubles per attempt within [d/2, d] and stops at the cap', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(2500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(5000);
    expect(retryDelayMs(4, policy, () => 1)).toBe(40_000);
    expect(retryDelayMs(4, policy, () => 0)).toBe(20_000);
    expect(retryDelayMs(30, policy, () => 1)).toBe(1_800_000);
    expect(retryDelayMs(500, policy, () => 0.5)).toBe(1_350_000);
  });
});

const EHR = 'https://ehr.example.org/fhir';
const policy = { maxAttempts: Infinity, retryPeriodMs: 3_600_000, baseDelayMs: 1000, maxDelayMs: 60_000 };
const created = new Date('2025-01-01T10:00:00Z');
const REVIEWED = '2025-01-01T11:00:00.123Z';

const observation: fhir4.Observation = {
  resourceType: 'Observation',
  id: 'obs-1',
  status: 'amended',
  code: { text: 'Brixia' },
  identifier: [{ system: 'urn:brixia', value: 'obs-1-id' }],
  device: { reference: 'Device/dev-1' },
  derivedFrom: [{ reference: 'ImagingStudy/study-1' }],
};
const report: fhir4.DiagnosticReport = {
  resourceType: 'DiagnosticReport',
  id: 'dr-1',
  status: 'amended',
  code: { text: 'Brixia' },
  identifier: [{ system: 'urn:brixia:report', value: 'dr-1' }],
  result: [{ reference: 'Observation/obs-1' }],
};
const provenance = (id: string, recorded: string): fhir4.Provenance => ({
  resourceType: 'Provenance',
  id,
  target: [{ reference: 'Observation/obs-1' }, { reference: 'DiagnosticReport/dr-1' }],
  recorded,
  agent: [{ who: { reference: 'Practitioner/dr-rossi' } }],
});

function message(overrides: Partial<OutboxMessageRecord>): OutboxMessageRecord {
  return {
    id: 'rev-1',
    resultId: 'obs-1',
    taskId: 'task-1',
    kind: 'revision',
    destination: EHR,
    payload: { resources: [observation, report, provenance('prov-rev-1', REVIEWED)], resultVersion: 2 },
    state: 'pending',
    attempts: 1,
    nextAttemptAt: created,
    lastError: null,
    remoteIds: null,
    createdAt: created,
    updatedAt: created,
    deliveredAt: null,
    ...overrides,
  };
}

const delivered = message({
  id: 'res-1',
  kind: 'result',
  state: 'delivered',
  payload: { resources: [], initialRemoteIds: { 'ImagingStudy/study-1': 'ImagingStudy/ehr-study' } },
  remoteIds: { 'ImagingStudy/study-1': 'ImagingStudy/ehr-study', 'Device/dev-1': 'Device/ehr-dev', 'Observation/obs-1': 'Observation/ehr-obs', 'DiagnosticReport/dr-1': 'DiagnosticReport/ehr-dr', 'Provenance/prov-ai': 'Provenance/ehr-prov-ai' },
});

/** An EHR that records the calls: conditional creates answer 201 with a fresh id unless `found` says otherwise. */
function fakeEhr(found: Record<string, string> = {}) {
  const calls: string[] = [];
  const bodies: fhir4.FhirResource[] = [];
  const server = {
    conditionalCreate: jest.fn(async (resource: fhir4.FhirResource, ifNoneExist: string) => {
      calls.push(`POST ${resource.resourceType} If-None-Exist: ${ifNoneExist}`);
      bodies.push(resource);
      const existing = found[resource.resourceType];
      return existing ? { created: false, id: existing } : { created: true, id: `new-${resource.resourceType.toLowerCase()}` };
    }),
    update: jest.fn(async (resource: fhir4.FhirResource & { id: string }) => {
      calls.push(`PUT ${resource.resourceType}/${resource.id}`);
      bodies.push(resource);
      return { id: resource.id };
    }),
  };
  const directory: PublicationDirectory = { serverFor: () => ({ server }) };
  return { directory, calls, bodies };
}

function fakeOutbox(siblings: OutboxMessageRecord[]) {
  const store = {
    listByResult: jest.fn(async () => siblings),
    markDelivered: jest.fn(async (_id: string, _remote: Record<string, string>) => undefined),
    markFailed: jest.fn(async (_id: string, _error: string, _next: Date | null, _remote: Record<string, string>) => undefined),
  };
  return store satisfies OutboxDeliveryStore;
}

describe('deliverOutboxMessage — revisions', () => {
  const later = () => new Date(created.getTime() + 10 * policy.retryPeriodMs);

  it('updates the Observation and report under the EHR ids of the result and creates the revision Provenance', async () => {
    const revision = message({});
    const ehr = fakeEhr();
    const outbox = fakeOutbox([delivered, revision]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, revision, policy, silentLogger, () => created)).resolves.toBe('delivered');
    const recorded = encodeURIComponent(REVIEWED);
    expect(ehr.calls).toEqual([
      'PUT Observation/ehr-obs',
      'PUT DiagnosticReport/ehr-dr',
      `POST Provenance If-None-Exist: target=${encodeURIComponent('Observation/ehr-obs')}&recorded=ge${recorded}&recorded=le${recorded}`,
    ]);
    const [putObservation, putReport, postProvenance] = ehr.bodies as [fhir4.Observation, fhir4.DiagnosticReport, fhir4.Provenance];
    expect(putObservation).toMatchObject({ id: 'ehr-obs', status: 'amended', device: { reference: 'Device/ehr-dev' }, derivedFrom: [{ reference: 'ImagingStudy/ehr-study' }] });
    expect(putReport).toMatchObject({ id: 'ehr-dr', result: [{ reference: 'Observation/ehr-obs' }] });
    expect(postProvenance.target.map((t) => t.reference)).toEqual(['Observation/ehr-obs', 'DiagnosticReport/ehr-dr']);
    expect(outbox.markDelivered).toHaveBeenCalledWith('rev-1', expect.objectContaining({ 'Observation/obs-1': 'Observation/ehr-obs', 'Provenance/prov-ai': 'Provenance/ehr-prov-ai', 'Provenance/prov-rev-1': 'Provenance/new-provenance' }));
  });

  it('waits (retryable, never expiring) while the result is still pending, without calling the EHR', async () => {
    const revision = message({});
    const ehr = fakeEhr();
    const outbox = fakeOutbox([{ ...delivered, state: 'pending', remoteIds: null }, revision]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, revision, policy, silentLogger, later)).resolves.toBe('retry');
    expect(ehr.calls).toEqual([]);
    const [id, error, next] = outbox.markFailed.mock.calls[0] ?? [];
    expect([id, error]).toEqual(['rev-1', expect.stringMatching(/^PUBLICATION.AWAITING_EARLIER: /)]);
    expect(next?.getTime()).toBeGreaterThan(later().getTime());
  });

  it('dead-letters the revision when the result is dead', async () => {
    const revision = message({});
    const ehr = fakeEhr();
    const outbox = fakeOutbox([{ ...delivered, state: 'dead' }, revision]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, revision, policy, silentLogger, () => created)).resolves.toBe('dead');
    expect(ehr.calls).toEqual([]);
    expect(outbox.markFailed).toHaveBeenCalledWith('rev-1', expect.stringMatching(/^PUBLICATION.EARLIER_FAILED: .*res-1/), null, expect.anything());
  });

  it('orders revisions by result version, not by created_at (which a redelivery resets)', async () => {
    const second = message({ id: 'rev-2', payload: { resources: [observation, provenance('prov-rev-2', '2025-01-01T12:00:00.000Z')], resultVersion: 3 } });
    const first = message({ id: 'rev-1', createdAt: new Date(created.getTime() + 60_000) });
    const ehr = fakeEhr();
    const outbox = fakeOutbox([delivered, first, second]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, second, policy, silentLogger, () => created)).resolves.toBe('retry');
    expect(outbox.markFailed.mock.calls[0]?.[1]).toMatch(/AWAITING_EARLIER.*rev-1/);
    await expect(deliverOutboxMessage(ehr.directory, outbox, first, policy, silentLogger, () => created)).resolves.toBe('delivered');
  });

  it('finds and then replaces a report the EHR holds under an id the result did not record', async () => {
    const revision = message({});
    const ehr = fakeEhr({ DiagnosticReport: 'ehr-dr-found' });
    const { 'DiagnosticReport/dr-1': _unknown, ...withoutReport } = delivered.remoteIds ?? {};
    const outbox = fakeOutbox([{ ...delivered, remoteIds: withoutReport }, revision]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, revision, policy, silentLogger, () => created)).resolves.toBe('delivered');
    expect(ehr.calls.slice(0, 3)).toEqual(['PUT Observation/ehr-obs', `POST DiagnosticReport If-None-Exist: identifier=${encodeURIComponent('urn:brixia:report')}|dr-1`, 'PUT DiagnosticReport/ehr-dr-found']);
  });

  it('never makes a result message wait for anything', async () => {
    const result = message({ id: 'res-2', kind: 'result', payload: { resources: [provenance('prov-ai', '2025-01-01T10:00:00.000Z')] }, remoteIds: { 'Observation/obs-1': 'Observation/ehr-obs' } });
    const ehr = fakeEhr();
    const outbox = fakeOutbox([result, message({ state: 'dead' })]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, result, policy, silentLogger, () => created)).resolves.toBe('delivered');
    expect(outbox.listByResult).not.toHaveBeenCalled();
    expect(ehr.calls).toEqual([`POST Provenance If-None-Exist: target=${encodeURIComponent('Observation/ehr-obs')}&recorded=ge${encodeURIComponent('2025-01-01T10:00:00.000Z')}&recorded=le${encodeURIComponent('2025-01-01T10:00:00.000Z')}`]);
  });
});

describe('deliverOutboxMessage — a result superseding its study\'s earlier point', () => {
  /** The better instance's result: its Provenance names the superseded Observation and report (entities `revision`). */
  const successor = message({
    id: 'res-b',
    resultId: 'obs-b',
    taskId: 'task-b',
    kind: 'result',
    payload: {
      resources: [
        {
          resourceType: 'Provenance',
          id: 'prov-b',
          target: [{ reference: 'Observation/obs-b' }],
          recorded: '2025-01-01T12:00:00.000Z',
          agent: [{ who: { reference: 'Device/dev-1' } }],
          entity: [
            { role: 'source', what: { reference: 'ImagingStudy/study-1' } },
            { role: 'revision', what: { reference: 'Observation/obs-1' } },
            { role: 'revision', what: { reference: 'DiagnosticReport/dr-1' } },
          ],
        },
      ],
      initialRemoteIds: { 'ImagingStudy/study-1': 'ImagingStudy/ehr-study' },
      supersedesResultId: 'obs-1',
    },
  });

  it('references the superseded result under the EHR ids it got', async () => {
    const ehr = fakeEhr();
    const outbox = fakeOutbox([delivered]);
    await expect(deliverOutboxMessage(ehr.directory, outbox, successor, policy, silentLogger, () => created)).resolves.toBe('delivered');
    expect(outbox.listByResult).toHaveBeenCalledWith('obs-1');
    const [posted] = ehr.bodies as [fhir4.Provenance];
    expect(posted.entity?.map((entity) => entity.what.reference)).toEqual(['ImagingStudy/ehr-study', 'Observation/ehr-obs', 'DiagnosticReport/ehr-dr']);
  });

  it('waits while the superseded result is still pending, and is dead-lettered when it is dead', async () => {
    const ehr = fakeEhr();
    const waiting = fakeOutbox([{ ...delivered, state: 'pending', remoteIds: null }]);
    await expect(deliverOutboxMessage(ehr.directory, waiting, successor, policy, silentLogger, () => created)).resolves.toBe('retry');
    expect(waiting.markFailed.mock.calls[0]?.[1]).toMatch(/^PUBLICATION.AWAITING_EARLIER: .*supersedes.*res-1/);
    const dead = fakeOutbox([{ ...delivered, state: 'dead' }]);
    await expect(deliverOutboxMessage(ehr.directory, dead, successor, policy, silentLogger, () => created)).resolves.toBe('dead');
    expect(ehr.calls).toEqual([]);
  });
});
